"""Mailcow's recorded answers as literals (recordings 05, 11, 13), and how to ask for them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx

GIB = 1073741824
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@dataclass
class Api:
    """Plain HTTP to one Mailcow API, as MailApp's adapter would talk to it."""

    name: str
    url: str
    rw_key: str
    ro_key: str | None
    app: object | None = None  # the sandbox app, for fault injection
    clients: dict = field(default_factory=dict)

    @property
    def is_sandbox(self) -> bool:
        return self.app is not None

    def client(self, key: str | None = "rw") -> httpx.Client:
        """`key`: "rw", "ro", None (no header) or any other string (sent as the key)."""
        if key not in self.clients:
            value = {"rw": self.rw_key, "ro": self.ro_key}.get(key, key)
            headers = {"X-API-Key": value} if value else {}
            self.clients[key] = httpx.Client(base_url=self.url + "/api/v1/", headers=headers,
                                             timeout=30)
        return self.clients[key]

    def get(self, path: str, key: str | None = "rw") -> httpx.Response:
        return self.client(key).get(path)

    def post(self, path: str, body=None, key: str | None = "rw") -> httpx.Response:
        return self.client(key).post(path, json=body)

    def get_json(self, path: str):
        response = self.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def write(self, path: str, body):
        """A write that must succeed: the decoded message list, checked for danger."""
        response = self.post(path, body)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert isinstance(answer, list) and not [m for m in answer if m["type"] == "danger"], answer
        return answer

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def domain_object(name: str, **changes) -> dict:
    """get/domain/{name} for a domain added like recording 02, clock readings blanked."""
    item = {
        "max_new_mailbox_quota": 10 * GIB,
        "def_new_mailbox_quota": 3 * GIB,
        "quota_used_in_domain": "0",
        "bytes_total": 0,
        "msgs_total": 0,
        "mboxes_in_domain": 0,
        "mboxes_left": 10,
        "domain_name": name,
        "domain_h_name": name,
        "description": "test domain",
        "max_num_aliases_for_domain": 400,
        "max_num_mboxes_for_domain": 10,
        "def_quota_for_mbox": 3 * GIB,
        "max_quota_for_mbox": 10 * GIB,
        "max_quota_for_domain": 10 * GIB,
        "relayhost": "0",
        "backupmx": 0,
        "backupmx_int": 0,
        "gal": 1,
        "gal_int": 1,
        "rl": False,
        "active": 1,
        "active_int": 1,
        "relay_all_recipients": 0,
        "relay_all_recipients_int": 0,
        "relay_unknown_only": 0,
        "relay_unknown_only_int": 0,
        "created": "<time>",
        "modified": None,
        "aliases_in_domain": 0,
        "aliases_left": 400,
        "domain_admins": "-",
    }
    item.update(changes)
    return item


def mailbox_object(username: str, name: str = "Alice Example", quota: int = GIB,
                   **changes) -> dict:
    """get/mailbox/{username} for a mailbox added like recording 07."""
    local_part, domain = username.split("@")
    item = {
        "username": username,
        "active": 1,
        "active_int": 1,
        "domain": domain,
        "name": name,
        "local_part": local_part,
        "quota": quota,
        "messages": 0,
        "attributes": {
            "force_pw_update": "0",
            "force_tfa": "0",
            "tls_enforce_in": "0",
            "tls_enforce_out": "0",
            "sogo_access": "1",
            "imap_access": "1",
            "pop3_access": "1",
            "smtp_access": "1",
            "sieve_access": "1",
            "eas_access": "1",
            "dav_access": "1",
            "relayhost": "0",
            "passwd_update": "<time>",
            "mailbox_format": "maildir:",
            "quarantine_notification": "hourly",
            "quarantine_category": "reject",
            "attribute_hash": "",
        },
        "custom_attributes": [],
        "quota_used": 0,
        "percent_in_use": 0,
        "created": "<time>",
        "modified": "<time>",
        "authsource": "mailcow",
        "percent_class": "success",
        "last_imap_login": 0,
        "last_smtp_login": 0,
        "last_pop3_login": 0,
        "last_sso_login": 0,
        "max_new_quota": 10 * GIB,
        "spam_aliases": 0,
        "pushover_active": 0,
        "rl": False,
        "rl_scope": "domain",
        "is_relayed": 0,
        "sender_acl": [],
    }
    item.update(changes)
    return item


def alias_object(alias_id: int, address: str, goto: str, **changes) -> dict:
    """get/alias/{id} for an alias added like recording 10."""
    item = {
        "in_primary_domain": "",
        "id": alias_id,
        "domain": address.split("@")[1],
        "public_comment": None,
        "private_comment": None,
        "goto": goto,
        "address": address,
        "is_catch_all": 0,
        "internal": 0,
        "active": 1,
        "active_int": 1,
        "sogo_visible": 0,
        "sogo_visible_int": 0,
        "sender_allowed": 0,
        "created": "<time>",
        "modified": None,
    }
    item.update(changes)
    return item


def log(action: str, kind: str, data) -> list:
    """The `log` of an answer from Mailcow's mailbox() function."""
    return ["mailbox", action, kind, data, None]


def searchable(*indexes: int, width: int = 25) -> list[dict]:
    """A DataTables `columns` list where only these indexes are searchable."""
    return [{"data": str(i), "name": "", "searchable": "true" if i in indexes else "false",
             "orderable": "true", "search": {"value": "", "regex": "false"}}
            for i in range(width)]


def search_body(value: str = "", columns=None, order=None, start: int = 0,
                length: int = 10, draw: int = 1) -> dict:
    return {"draw": draw, "start": start, "length": length,
            "search": {"value": value, "regex": False}, "order": order or [],
            "columns": [] if columns is None else columns}



def timeless(value):
    """The answer with its clock readings replaced, so it compares with a literal."""
    if isinstance(value, dict):
        return {k: timeless(v) for k, v in value.items()}
    if isinstance(value, list):
        return [timeless(v) for v in value]
    if isinstance(value, str) and TIME.match(value):
        return "<time>"
    return value


def without_gc_warnings(messages: list) -> list:
    """Drop dovecot's garbage-collector warning: the recordings were made without dovecot,
    a healthy Mailcow sends none."""
    return [m for m in messages if not (m["type"] == "warning"
                                        and "garbage collector" in str(m["msg"]))]


def expect_messages(api, answer: list, expected: list) -> None:
    """Compare a message list with a recording; a real Mailcow may lack the GC warning."""
    if api.is_sandbox:
        assert answer == expected
    else:
        assert without_gc_warnings(answer) == without_gc_warnings(expected)
