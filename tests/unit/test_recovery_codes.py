"""Recovery codes: shape, salted hashes, and each code accepted once."""
import pytest
from sqlalchemy import select

from panel.auth import recovery
from panel.extensions import db
from panel.models import Admin, RecoveryCode
from panel.services import second_factors


def test_ten_distinct_readable_codes():
    codes = recovery.generate()
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert len(code) == 11 and code[5] == "-"
        assert all(c in recovery.ALPHABET for c in code.replace("-", ""))


def test_hash_is_salted_and_matches_loosely_typed_input():
    code = "abcde-fgh23"
    first, second = recovery.hash_code(code), recovery.hash_code(code)
    assert first != second and code not in first
    for typed in (code, "ABCDE-FGH23", "abcdefgh23", " abcde fgh23 "):
        assert recovery.matches(first, typed)
    assert not recovery.matches(first, "abcde-fgh24")
    assert not recovery.matches("garbage", code)


@pytest.fixture
def enrolled(app, admin):
    """The admin with TOTP on (so recovery codes exist); yields (app, codes)."""
    with app.app_context():
        me = db.session.scalar(select(Admin))
        second_factors.pending_totp_secret(me)
        row = second_factors._totp_row(me.id)
        row.active = True
        db.session.commit()
        codes = second_factors.regenerate_recovery_codes(me, actor="test")
        db.session.remove()
    return app, codes


def test_codes_are_stored_hashed(enrolled):
    app, codes = enrolled
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(c in h or c.replace("-", "") in h for c in codes for h in stored)


def test_each_code_works_once(enrolled):
    app, codes = enrolled
    with app.app_context():
        me = db.session.scalar(select(Admin))
        assert second_factors.recovery_remaining(me) == 10
        assert second_factors.use_recovery_code(me, codes[3])
        assert not second_factors.use_recovery_code(me, codes[3])
        assert not second_factors.use_recovery_code(me, codes[3].upper())
        assert second_factors.recovery_remaining(me) == 9
        assert second_factors.use_recovery_code(me, codes[4].replace("-", " "))
        assert second_factors.recovery_remaining(me) == 8
        assert not second_factors.use_recovery_code(me, "aaaaa-aaaaa")
        assert not second_factors.use_recovery_code(me, "")


def test_regenerating_voids_the_old_codes(enrolled):
    app, old = enrolled
    with app.app_context():
        me = db.session.scalar(select(Admin))
        new = second_factors.regenerate_recovery_codes(me, actor="test")
        assert not second_factors.use_recovery_code(me, old[0])
        assert second_factors.use_recovery_code(me, new[0])
        assert second_factors.recovery_remaining(me) == 9
