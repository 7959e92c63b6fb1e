"""The sandbox's copies of PHP behaviour that Mailcow's answers depend on."""
from __future__ import annotations

import pytest

from panel.mailcow.sandbox.encoding import decode, encode, encode_pretty
from panel.mailcow.sandbox.php import (
    empty,
    htmlspecialchars,
    idn_to_ascii,
    intval,
    is_email,
    is_valid_domain_name,
    php_round,
    split_list,
)


@pytest.mark.parametrize("value, expected", [
    (None, 0), ("", 0), ("abc", 0), ("12abc", 12), (" 42", 42), ("-7", -7), ("1e3", 1000),
    ("3.9", 3), (2.7, 2), (True, 1), ([], 0), (["x"], 1),
])
def test_intval(value, expected):
    assert intval(value) == expected


@pytest.mark.parametrize("value", [None, False, 0, 0.0, "", "0", [], {}])
def test_empty_values(value):
    assert empty(value)


@pytest.mark.parametrize("value", ["00", " ", "a", 1, [0], {"a": 1}])
def test_non_empty_values(value):
    assert not empty(value)


@pytest.mark.parametrize("address, valid", [
    ("alice@example.test", True), ("Alice.O'Brien+tag@sub.example.test", True),
    ("@example.test", False), ("not-an-email", False), ("@", False),
    ("spam@localhost", False),  # no dot in the domain: how FILTER_VALIDATE_EMAIL sees it
    ("bo b!@example.test", False), ("a@example.1test", False), ("x" * 65 + "@example.test", False),
    ('"quoted..name"@example.test', True), ('"quoted name"@example.test', False),
])
def test_filter_validate_email(address, valid):
    assert is_email(address) is valid


@pytest.mark.parametrize("name, valid", [
    ("example.test", True), ("localhost", True), ("xn--bcher-kva.example", True),
    ("not a domain!", False), ("-bad.test", False), ("example.test.", False), ("", False),
    ("a" * 64 + ".test", False), ("bücher.example", True),
])
def test_is_valid_domain_name(name, valid):
    assert is_valid_domain_name(name) is valid


def test_idn_to_ascii_lowers_and_punycodes():
    assert idn_to_ascii("Bücher.Example") == "xn--bcher-kva.example"
    assert idn_to_ascii("a..b") == ""


def test_split_list_and_escaping():
    assert split_list("a@x.test, b@x.test;c@x.test\nd@x.test") == [
        "a@x.test", "", "b@x.test", "c@x.test", "d@x.test"]
    assert htmlspecialchars("<a href='x'>&</a>") == "&lt;a href=&#039;x&#039;&gt;&amp;&lt;/a&gt;"


def test_round_half_away_from_zero():
    assert [php_round(x) for x in (0.5, 1.5, 2.5, 74.5, -0.5)] == [1, 2, 3, 75, -1]


def test_json_encode_like_php():
    assert encode({"msg": "API read/write access denied", "n": 1.0, "e": {}, "u": "é"}) == (
        '{"msg":"API read\\/write access denied","n":1,"e":[],"u":"\\u00e9"}')
    assert encode_pretty({"a": [], "b": "é/"}) == '{\n    "a": [],\n    "b": "é\\/"\n}'


def test_json_decode_like_php():
    assert decode(b'{"a": [1, "x"]}') == {"a": [1, "x"]}
    for bad in (b"", b"{nope", b"NaN", b"\xff"):
        assert decode(bad) is None
