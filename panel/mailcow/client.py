"""The one HTTP client that talks to Mailcow's REST API, and the reading of its answers."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from panel.mailcow.errors import (
    MailcowAuthError,
    MailcowError,
    MailcowRefused,
    MailcowTimeout,
    MailcowUnavailable,
)
from panel.mailcow.messages import describe, message_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """A write Mailcow accepted: its messages in English, warnings kept apart."""

    messages: list[str]
    warnings: list[str]
    keys: list[str]
    raw: list[dict]


class MailcowClient:
    """Speaks `/api/v1/...` with the API key header; reads use the read-only key if given."""

    def __init__(self, base_url: str, api_key: str | None, readonly_key: str | None = None,
                 timeout: float = 10.0, verify_tls: bool = True,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._rw_key = api_key or ""
        self._ro_key = readonly_key or self._rw_key
        self._http = httpx.Client(base_url=self.base_url + "/api/v1", timeout=timeout,
                                  verify=verify_tls, transport=transport,
                                  headers={"Accept": "application/json"})

    def __repr__(self) -> str:  # never show a key in logs or tracebacks
        return f"MailcowClient({self.base_url!r})"

    def close(self) -> None:
        self._http.close()

    # -- transport -------------------------------------------------------------------
    def _send(self, method: str, path: str, key: str, body: Any = None) -> httpx.Response:
        try:
            if method == "GET":
                response = self._http.get(path, headers={"X-API-Key": key})
            else:
                response = self._http.post(path, json=body, headers={"X-API-Key": key})
        except httpx.TimeoutException as exc:
            log.warning("Mailcow %s %s timed out", method, path)
            raise MailcowTimeout(
                f"Mailcow did not answer within {self._http.timeout.read:g} seconds ({self.base_url})"
            ) from exc
        except httpx.HTTPError as exc:
            log.warning("Mailcow %s %s failed: %s", method, path, type(exc).__name__)
            raise MailcowUnavailable(f"Cannot reach Mailcow at {self.base_url}: {exc}") from exc
        self._check_status(response)
        return response

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status in (401, 403):
            detail = _error_text(response)
            if status == 403:
                message = ("Mailcow refused a change: the API key is read-only "
                           f"({detail})" if detail else "Mailcow refused the API key (403)")
            elif "denied for ip" in detail:
                message = f"Mailcow does not accept API calls from this address: {detail}"
            else:
                message = "Mailcow rejected the API key (authentication failed)"
            raise MailcowAuthError(message, status=status)
        if status >= 500:
            raise MailcowUnavailable(
                f"Mailcow answered with a server error (HTTP {status}); check its PHP and "
                "database containers", status=status)
        if status >= 400:
            raise MailcowError(f"Mailcow answered HTTP {status}: {_error_text(response)}",
                               status=status)

    def _json(self, response: httpx.Response) -> Any:
        text = response.text.strip()
        if not text:
            # Mailcow answers an empty 200 when no key was sent at all.
            raise MailcowAuthError("Mailcow sent an empty answer: is MAILCOW_API_KEY set?",
                                   status=response.status_code)
        try:
            return response.json()
        except ValueError as exc:
            raise MailcowUnavailable(
                "Mailcow answered with a web page instead of JSON; check MAILCOW_URL points at "
                "Mailcow's nginx", status=response.status_code) from exc

    # -- API verbs -------------------------------------------------------------------
    def get(self, path: str) -> Any:
        """GET /get/...; returns the decoded JSON (Mailcow's `{}` for missing objects)."""
        return self._json(self._send("GET", "/get/" + path.lstrip("/"), self._ro_key))

    def search(self, path: str, body: dict) -> dict:
        """POST /search/... (DataTables paging); a read, so it may use the read-only key."""
        data = self._json(self._send("POST", "/search/" + path.lstrip("/"), self._ro_key, body))
        if isinstance(data, dict) and "data" in data:
            return data
        # Mailcow reports a failed search as {"error": "An SQL error occurred: ..."} or a
        # message object, both with HTTP 200.
        if isinstance(data, dict) and (data.get("error") or data.get("msg")):
            raise MailcowError(f"Mailcow could not search: "
                               f"{data.get('error') or describe(data.get('msg'))}")
        raise MailcowError("Mailcow's search answer was not understood")

    def write(self, verb: str, path: str, body: Any) -> Outcome:
        """POST /add|edit|delete/...; raises MailcowRefused if any entry is `danger`."""
        assert verb in ("add", "edit", "delete")
        data = self._json(self._send("POST", f"/{verb}/" + path.lstrip("/"), self._rw_key, body))
        return read_messages(data)


def read_messages(data: Any) -> Outcome:
    """Turn Mailcow's message list (or bare object) into an Outcome or MailcowRefused."""
    entries = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    if not entries:
        raise MailcowError("Mailcow's answer was not understood")
    failed = [e for e in entries if e.get("type") in ("danger", "error")]
    if failed:
        raise MailcowRefused([describe(e.get("msg")) for e in failed],
                             [message_key(e.get("msg")) for e in failed])
    return Outcome(
        messages=[describe(e.get("msg")) for e in entries if e.get("type") == "success"],
        warnings=[describe(e.get("msg")) for e in entries if e.get("type") in ("warning", "info")],
        keys=[message_key(e.get("msg")) for e in entries],
        # `log` can echo passwords (relayhost, syncjob): never keep it.
        raw=[{k: v for k, v in e.items() if k != "log"} for e in entries],
    )


def _error_text(response: httpx.Response) -> str:
    try:
        data = response.json()
        if isinstance(data, dict) and data.get("msg"):
            return str(data["msg"])
    except ValueError:
        pass
    return ""
