"""Domain records read from Mailcow's wire format, and the wire format MailApp sends."""
from panel.mailcow.domains import DomainSettings, from_wire

# Recording 93_search_domain (one data item).
WIRE = {
    "max_new_mailbox_quota": 8589934592, "def_new_mailbox_quota": 3221225472,
    "quota_used_in_domain": "2147483648", "bytes_total": 0, "msgs_total": 0,
    "mboxes_in_domain": 1, "mboxes_left": 19, "domain_name": "example.test",
    "domain_h_name": "example.test", "description": "edited",
    "max_num_aliases_for_domain": 400, "max_num_mboxes_for_domain": 20,
    "def_quota_for_mbox": 3221225472, "max_quota_for_mbox": 10737418240,
    "max_quota_for_domain": 10737418240, "relayhost": "0", "backupmx": 0, "backupmx_int": 0,
    "gal": 1, "gal_int": 1, "rl": {"value": "10", "frame": "s"}, "active": 1, "active_int": 1,
    "relay_all_recipients": 0, "relay_all_recipients_int": 0, "relay_unknown_only": 0,
    "relay_unknown_only_int": 0, "created": "2026-11-21 23:47:32",
    "modified": "2026-11-21 23:49:32", "aliases_in_domain": 1, "aliases_left": 399,
    "domain_admins": "exadmin", "tags": ["t1"],
}


def test_from_wire_reads_bytes_counts_and_flags():
    d = from_wire(WIRE)
    assert d.name == "example.test" and d.active and d.gal and not d.backupmx
    assert (d.mailboxes, d.max_mailboxes, d.aliases, d.max_aliases) == (1, 20, 1, 400)
    assert d.quota_used == 2 * 1024**3 and d.quota_total == 10 * 1024**3
    assert d.quota_percent == 20
    assert (d.rate_limit_value, d.rate_limit_frame) == (10, "s")
    assert d.tags == ("t1",) and d.created.year == 2026


def test_settings_round_trip_in_mib_and_flags():
    s = DomainSettings.of(from_wire(WIRE))
    assert (s.quota_mib, s.max_mailbox_quota_mib, s.default_mailbox_quota_mib) == (10240, 10240, 3072)
    wire = s.wire()
    assert wire["quota"] == "10240" and wire["active"] == "1" and wire["backupmx"] == "0"
    assert wire["rl_value"] == "10" and wire["tags"] == ["t1"]


def test_rate_limit_false_or_missing_is_no_limit():
    d = from_wire({**WIRE, "rl": False})
    assert d.rate_limit_value == 0 and d.rate_limit_frame == "s"
