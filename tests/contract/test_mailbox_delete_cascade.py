"""What Mailcow's mailbox('delete', 'mailbox') takes along from other tables: the
mailbox's sync jobs (imapsync.user2), its sieve filters (a foreign key ON DELETE CASCADE),
the mail quarantined for it (quarantine.rcpt) and the BCC maps whose local destination it
is (bcc_maps.local_dest). A mailbox created again under the same name starts empty."""
from __future__ import annotations

from .test_filters import SCRIPT, filters_of
from .test_quarantine import hold
from .test_syncjobs import BODY, jobs_of


def _bcc_of(api, address: str) -> list:
    return [m for m in api.get_json("get/bcc/all") if m["local_dest"] == address]


def _recreate(api, mailbox: str) -> None:
    local, domain = mailbox.split("@")
    api.write("add/mailbox", {"local_part": local, "domain": domain, "name": "Again",
                              "quota": "1024", "password": "S3cret-Pass1",
                              "password2": "S3cret-Pass1", "active": "1"})


def test_sync_jobs_filters_and_bcc_maps_go_with_the_mailbox(api, mailbox):
    api.write("add/syncjob", {"username": mailbox, **BODY})
    api.write("add/bcc", {"active": "1", "bcc_dest": "archive@example.test",
                          "local_dest": mailbox, "type": "rcpt"})
    api.write("add/filter", {"username": mailbox, "filter_type": "prefilter",
                             "script_desc": "gone", "script_data": SCRIPT, "active": "1"})
    assert len(jobs_of(api, mailbox)) == 1 and len(_bcc_of(api, mailbox)) == 1
    assert len(filters_of(api, mailbox)) == 1

    api.write("delete/mailbox", [mailbox])
    assert _bcc_of(api, mailbox) == []
    _recreate(api, mailbox)
    assert jobs_of(api, mailbox) == []
    assert filters_of(api, mailbox) == []


def test_quarantined_mail_for_the_mailbox_goes(sandbox_only, mailbox, domain):
    api = sandbox_only
    hold(api, mailbox, "For alice")
    other = f"bob@{domain}"
    hold(api, other, "For bob")
    api.write("delete/mailbox", [mailbox])
    left = [i["rcpt"] for i in api.get_json("get/quarantine/all")
            if i["rcpt"] in (mailbox, other)]
    assert left == [other]
