"""Settings.from_env: defaults, the generated secret, URL normalisation and flag parsing."""
from __future__ import annotations

import os
import stat

import pytest

from panel.config import Settings


def settings(tmp_path, **env) -> Settings:
    return Settings.from_env(tmp_path / "instance", env)


# The secret key ---------------------------------------------------------------------------

def test_secret_is_generated_once_with_owner_only_permissions(tmp_path):
    first = settings(tmp_path)
    secret_file = tmp_path / "instance" / "secret_key"

    assert secret_file.is_file()
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert secret_file.read_text().strip() == first.secret_key


def test_secret_is_reused_on_the_next_start(tmp_path):
    first = settings(tmp_path)
    second = settings(tmp_path)
    assert second.secret_key == first.secret_key


def test_each_instance_gets_its_own_secret(tmp_path):
    one = Settings.from_env(tmp_path / "one", {})
    two = Settings.from_env(tmp_path / "two", {})
    assert one.secret_key != two.secret_key


def test_secret_from_environment_wins_and_writes_nothing(tmp_path):
    s = settings(tmp_path, MAILAPP_SECRET_KEY="from-the-environment")
    assert s.secret_key == "from-the-environment"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_an_existing_secret_file_is_read_not_replaced(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("kept-across-restarts\n")
    assert Settings.from_env(instance, {}).secret_key == "kept-across-restarts"


# The database URL -------------------------------------------------------------------------

def test_database_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    s = settings(tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'instance' / 'mailapp.sqlite3'}"


@pytest.mark.parametrize("given, expected", [
    ("postgres://mail:pw@db:5432/mailapp", "postgresql+psycopg://mail:pw@db:5432/mailapp"),
    ("postgresql://mail:pw@db/mailapp", "postgresql+psycopg://mail:pw@db/mailapp"),
    ("postgresql://mail@db/mailapp?sslmode=require",
     "postgresql+psycopg://mail@db/mailapp?sslmode=require"),
    ("postgresql+psycopg://mail@db/mailapp", "postgresql+psycopg://mail@db/mailapp"),
    ("sqlite:////var/lib/mailapp/panel.sqlite3", "sqlite:////var/lib/mailapp/panel.sqlite3"),
])
def test_database_url_is_normalised_for_psycopg(tmp_path, given, expected):
    assert settings(tmp_path, DATABASE_URL=given).database_url == expected


def test_empty_database_url_means_the_default(tmp_path):
    assert settings(tmp_path, DATABASE_URL="").database_url.startswith("sqlite:///")


# Mailcow connection -----------------------------------------------------------------------

def test_no_mailcow_url_means_the_sandbox(tmp_path):
    s = settings(tmp_path)
    assert s.sandbox is True
    assert s.mailcow_url is None
    assert s.mailcow_api_key is None and s.mailcow_api_key_readonly is None


def test_empty_mailcow_url_also_means_the_sandbox(tmp_path):
    assert settings(tmp_path, MAILCOW_URL="").sandbox is True


def test_a_mailcow_url_turns_the_sandbox_off(tmp_path):
    s = settings(tmp_path, MAILCOW_URL="https://mail.example.com/", MAILCOW_API_KEY="rw",
                 MAILCOW_API_KEY_READONLY="ro")
    assert s.sandbox is False
    assert s.mailcow_url == "https://mail.example.com"  # trailing slash dropped
    assert (s.mailcow_api_key, s.mailcow_api_key_readonly) == ("rw", "ro")


def test_empty_api_keys_are_none(tmp_path):
    s = settings(tmp_path, MAILCOW_URL="https://mail.example.com", MAILCOW_API_KEY="",
                 MAILCOW_API_KEY_READONLY="")
    assert s.mailcow_api_key is None and s.mailcow_api_key_readonly is None


def test_mailcow_timeout(tmp_path):
    assert settings(tmp_path).mailcow_timeout == 10.0
    assert settings(tmp_path, MAILCOW_TIMEOUT="2.5").mailcow_timeout == 2.5


@pytest.mark.parametrize("value", [None, "", "  "])
def test_tls_is_verified_by_default(tmp_path, value):
    env = {} if value is None else {"MAILCOW_VERIFY_TLS": value}
    assert settings(tmp_path, **env).mailcow_verify_tls is True


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " On "])
def test_tls_verification_on(tmp_path, value):
    assert settings(tmp_path, MAILCOW_VERIFY_TLS=value).mailcow_verify_tls is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "off"])
def test_tls_verification_off(tmp_path, value):
    assert settings(tmp_path, MAILCOW_VERIFY_TLS=value).mailcow_verify_tls is False


@pytest.mark.parametrize("value", ["ture", "2", "disable"])
def test_a_mistyped_flag_is_refused_not_taken_as_off(tmp_path, value):
    with pytest.raises(ValueError, match="MAILCOW_VERIFY_TLS"):
        settings(tmp_path, MAILCOW_VERIFY_TLS=value)


# Mail hostname ----------------------------------------------------------------------------

def test_mail_hostname_from_the_environment_wins(tmp_path):
    s = settings(tmp_path, MAILCOW_URL="https://nginx-mailcow", MAILCOW_HOSTNAME="mx.example.net")
    assert s.mail_hostname == "mx.example.net"


def test_mail_hostname_falls_back_to_the_mailcow_url_host(tmp_path):
    s = settings(tmp_path, MAILCOW_URL="https://Mail.Example.com:8443/")
    assert s.mail_hostname == "mail.example.com"


def test_mail_hostname_in_the_sandbox(tmp_path):
    assert settings(tmp_path).mail_hostname == "mail.example.org"


# Serving ----------------------------------------------------------------------------------

def test_bind_and_cookie_defaults(tmp_path):
    s = settings(tmp_path)
    assert s.bind == "127.0.0.1:8080"
    assert s.session_cookie_secure is True


def test_bind_and_cookies_from_the_environment(tmp_path):
    s = settings(tmp_path, MAILAPP_BIND="0.0.0.0:9000", MAILAPP_SECURE_COOKIES="0")
    assert s.bind == "0.0.0.0:9000"
    assert s.session_cookie_secure is False


def test_reads_the_process_environment_when_no_mapping_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILAPP_SECRET_KEY", "process-env-secret")
    monkeypatch.setenv("MAILCOW_URL", "https://mail.example.com")
    monkeypatch.delenv("MAILCOW_HOSTNAME", raising=False)
    s = Settings.from_env(tmp_path / "instance")
    assert s.secret_key == "process-env-secret"
    assert s.mailcow_url == "https://mail.example.com"
    assert s.mail_hostname == "mail.example.com"
    assert s.instance_path == tmp_path / "instance"
