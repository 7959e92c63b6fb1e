"""get/status/*: the version always; host, vmail and container figures as a Mailcow
whose dockerapi has no engine answers them (recordings 50–54)."""
from __future__ import annotations

import pytest

from panel.mailcow.client import MailcowClient
from panel.mailcow.status import StatusApi, StatusUnavailable


def test_version_is_a_release_name(api):
    response = api.get("get/status/version")
    assert response.status_code == 200
    assert set(response.json()) == {"version"} and response.json()["version"]


@pytest.mark.parametrize("path, text", [
    ("get/status/containers", "null"),
    ("get/status/vmail", '{"type":"info","disk":"","used":null,"total":null,"used_percent":null}'),
    ("get/status/host", '{"type":"danger","msg":"dockerapi stub: no docker engine on this host"}'),
    ("get/status/container/abc123",
     '{"type":"danger","msg":"dockerapi stub: no docker engine on this host"}'),
    ("get/status/version", '{"version":"2026-07a"}'),
])
def test_sandbox_answers_like_mailcow_without_a_docker_engine(sandbox_api, path, text):
    response = sandbox_api.get(path)
    assert response.status_code == 200 and response.text == text


def test_adapter_reports_missing_figures_in_mailcows_words(sandbox_api):
    client = MailcowClient(sandbox_api.url, sandbox_api.rw_key, sandbox_api.ro_key, timeout=5)
    try:
        status = StatusApi(client)
        assert status.version() == "2026-07a"
        with pytest.raises(StatusUnavailable, match="dockerapi stub"):
            status.host()
        with pytest.raises(StatusUnavailable, match="no mail storage"):
            status.vmail()
    finally:
        client.close()
