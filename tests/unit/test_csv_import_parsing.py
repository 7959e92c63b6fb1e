"""Reading import files: delimiters, BOM, header, blank lines, size, generated passwords."""
from __future__ import annotations

import pytest

from panel.mailcow.password_policy import PasswordPolicy
from panel.services import csv_import
from panel.services.csv_import import FileProblem, generate_password, read_csv


@pytest.fixture(autouse=True)
def ctx(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize("sep", [",", ";"])
def test_comma_or_semicolon(sep):
    header, rows = read_csv(f"Email{sep}Name\na@x.test{sep}Ann, B\n".replace(
        "Ann, B", '"Ann, B"' if sep == "," else "Ann, B").encode())
    assert header == ["email", "name"]
    assert rows == [(2, {"email": "a@x.test", "name": "Ann, B"})]


def test_bom_blank_lines_short_rows_and_line_numbers():
    data = "\ufeffaddress,goto\r\n\r\nx@y.test\r\nz@y.test,a@b.test\r\n".encode()
    header, rows = read_csv(data)
    assert header == ["address", "goto"]
    assert rows == [(3, {"address": "x@y.test", "goto": ""}),
                    (4, {"address": "z@y.test", "goto": "a@b.test"})]


def test_not_utf8_or_empty_or_too_long(monkeypatch):
    with pytest.raises(FileProblem, match="UTF-8"):
        read_csv("email\nJürgen@x.test\n".encode("latin-1"))
    with pytest.raises(FileProblem, match="header"):
        read_csv(b"")
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    with pytest.raises(FileProblem, match="more than 3 rows"):
        read_csv(b"email\n" + b"a@x.test\n" * 4)


@pytest.mark.parametrize("policy", [PasswordPolicy(), PasswordPolicy(
    length=24, chars=True, special_chars=True, lowerupper=True, numbers=True)])
def test_generated_password_meets_policy(policy):
    passwords = {generate_password(policy) for _ in range(20)}
    assert len(passwords) == 20
    assert all(not policy.problems(p) and len(p) >= max(16, policy.length) for p in passwords)
