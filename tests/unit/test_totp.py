"""TOTP codes: one step of clock skew either way, never the same code (or an older one) twice."""
import base64

import pyotp

from panel.auth import totp

NOW = 1_790_000_000.0  # a fixed moment, in the middle of a 30-second step
STEP = int(NOW // 30)


def _code(secret, step):
    return pyotp.TOTP(secret).generate_otp(step)


def test_current_code_is_accepted_and_its_step_returned():
    secret = totp.new_secret()
    assert totp.matching_step(secret, _code(secret, STEP), None, now=NOW) == STEP


def test_one_step_of_skew_either_way_is_accepted():
    secret = totp.new_secret()
    assert totp.matching_step(secret, _code(secret, STEP - 1), None, now=NOW) == STEP - 1
    assert totp.matching_step(secret, _code(secret, STEP + 1), None, now=NOW) == STEP + 1


def test_two_steps_away_is_refused():
    secret = totp.new_secret()
    assert totp.matching_step(secret, _code(secret, STEP - 2), None, now=NOW) is None
    assert totp.matching_step(secret, _code(secret, STEP + 2), None, now=NOW) is None


def test_agrees_with_pyotp_valid_window_1():
    secret = totp.new_secret()
    for offset in range(-3, 4):
        code = _code(secret, STEP + offset)
        expected = pyotp.TOTP(secret).verify(code, for_time=NOW, valid_window=1)
        assert (totp.matching_step(secret, code, None, now=NOW) is not None) == expected


def test_a_used_code_cannot_be_reused():
    secret = totp.new_secret()
    code = _code(secret, STEP)
    last = totp.matching_step(secret, code, None, now=NOW)
    assert totp.matching_step(secret, code, last, now=NOW) is None
    # Not even a few seconds later, while the code is still on the phone's screen.
    assert totp.matching_step(secret, code, last, now=NOW + 20) is None


def test_an_older_code_is_refused_after_a_newer_one():
    secret = totp.new_secret()
    newer = totp.matching_step(secret, _code(secret, STEP + 1), None, now=NOW)
    assert totp.matching_step(secret, _code(secret, STEP), newer, now=NOW) is None
    assert totp.matching_step(secret, _code(secret, STEP - 1), newer, now=NOW) is None


def test_the_next_step_is_accepted_after_the_current_one():
    secret = totp.new_secret()
    last = totp.matching_step(secret, _code(secret, STEP), None, now=NOW)
    assert totp.matching_step(secret, _code(secret, STEP + 1), last, now=NOW + 30) == STEP + 1


def test_malformed_codes_are_refused_and_spaces_ignored():
    secret = totp.new_secret()
    code = _code(secret, STEP)
    for bad in ("", None, "12345", "1234567", "abcdef", code + "0"):
        assert totp.matching_step(secret, bad, None, now=NOW) is None
    assert totp.matching_step(secret, f"{code[:3]} {code[3:]}", None, now=NOW) == STEP


def test_secret_has_160_bits_and_uri_names_the_issuer():
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20
    uri = totp.provisioning_uri(secret, "root")
    assert uri.startswith("otpauth://totp/MailApp:root?") and f"secret={secret}" in uri
    assert "issuer=MailApp" in uri


def test_qr_code_is_an_svg_data_uri():
    uri = totp.provisioning_uri(totp.new_secret(), "root")
    data = totp.qr_data_uri(uri)
    assert data.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(data.split(",", 1)[1]).decode()
    # A standalone SVG document: without the namespace an <img> shows nothing.
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<path" in svg


def test_formatted_secret_groups_by_four():
    assert totp.formatted("ABCDEFGHIJKL") == "ABCD EFGH IJKL"
