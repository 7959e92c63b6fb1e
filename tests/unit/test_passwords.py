"""Administrator passwords are hashed with Argon2id and checked in constant shape."""
from panel.auth.passwords import hash_password, random_password, verify_password


def test_hash_is_argon2id_and_verifies():
    h = hash_password("s3cret-passphrase")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "s3cret-passphrase")
    assert not verify_password(h, "wrong")


def test_missing_or_broken_hash_never_verifies():
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_random_passwords_are_long_and_differ():
    a, b = random_password(), random_password()
    assert len(a) == 20 and a != b
