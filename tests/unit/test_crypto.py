"""Encryption at rest: round trip, key rotation, tamper detection, the generated key file."""
import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from panel import crypto


def test_round_trip_and_ciphertext_hides_the_secret(tmp_path):
    cipher = crypto.cipher_for(tmp_path, None)
    token = cipher.encrypt("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in token
    assert cipher.decrypt(token) == "JBSWY3DPEHPK3PXP"
    assert cipher.encrypt("same") != cipher.encrypt("same")  # random IV each time


def test_key_file_is_created_once_owner_only_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="panel.crypto"):
        first = crypto.cipher_for(tmp_path, None)
    path = tmp_path / crypto.KEY_FILE
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "replica" in caplog.text and "MAILAPP_ENCRYPTION_KEY" in caplog.text
    caplog.clear()
    token = first.encrypt("kept across restarts")
    with caplog.at_level(logging.WARNING, logger="panel.crypto"):
        second = crypto.cipher_for(tmp_path, None)
    assert caplog.text == ""  # warned once, when generated
    assert second.decrypt(token) == "kept across restarts"


def test_configured_key_is_used_and_no_file_written(tmp_path):
    key = Fernet.generate_key().decode()
    cipher = crypto.cipher_for(tmp_path, key)
    assert not (tmp_path / crypto.KEY_FILE).exists()
    assert Fernet(key.encode()).decrypt(cipher.encrypt("x").encode()) == b"x"


def test_rotation_new_key_first_still_reads_old_values(tmp_path):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = crypto.cipher_for(tmp_path, old).encrypt("secret")
    rotated = crypto.cipher_for(tmp_path, f"{new},{old}")
    assert rotated.decrypt(token) == "secret"
    assert Fernet(new.encode()).decrypt(rotated.encrypt("y").encode()) == b"y"


def test_wrong_key_or_tampering_raises(tmp_path):
    token = crypto.cipher_for(tmp_path, Fernet.generate_key().decode()).encrypt("secret")
    with pytest.raises(crypto.DecryptionError):
        crypto.cipher_for(tmp_path, Fernet.generate_key().decode()).decrypt(token)
    cipher = crypto.cipher_for(tmp_path / "other", None)
    token = cipher.encrypt("secret")
    with pytest.raises(crypto.DecryptionError):
        cipher.decrypt(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))


def test_a_malformed_key_gives_a_helpful_error(tmp_path):
    with pytest.raises(ValueError, match="Fernet"):
        crypto.cipher_for(tmp_path, "not-a-key")


def test_app_builds_its_cipher_at_start(app):
    assert isinstance(app.extensions["cipher"], crypto.Cipher)
    assert (Path(app.instance_path) / crypto.KEY_FILE).exists()
    with app.app_context():
        assert crypto.decrypt(crypto.encrypt("round trip")) == "round trip"


def test_app_uses_the_configured_key(tmp_path, sandbox):
    from panel import create_app
    from tests.conftest import app_config

    key = Fernet.generate_key().decode()
    application = create_app(app_config(tmp_path, sandbox, MAILAPP_ENCRYPTION_KEY=key))
    with application.app_context():
        token = crypto.encrypt("abc")
    assert Fernet(key.encode()).decrypt(token.encode()) == b"abc"
    assert not (tmp_path / "instance" / crypto.KEY_FILE).exists()
    application.extensions["db_engine"].dispose()


def test_ttl_refuses_old_tokens(tmp_path, monkeypatch):
    import time

    cipher = crypto.cipher_for(tmp_path, None)
    token = cipher.encrypt("short-lived")
    assert cipher.decrypt(token, ttl=60) == "short-lived"
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(crypto.DecryptionError):
        cipher.decrypt(token, ttl=60)
    assert cipher.decrypt(token) == "short-lived"  # no ttl: still readable
