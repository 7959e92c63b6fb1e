"""The Mail queue page against a real Postfix in a real Docker engine: listing, search,
hold / release / deliver / delete on real queue ids, flush, delete deferred, headers,
domain scope, and the unavailable paths."""
from __future__ import annotations

import json
import re
import time

import pytest

from panel import create_app
from panel.extensions import db
from panel.services.admins import create_admin
from tests.conftest import app_config, csrf_token, sign_in
from tests.infra.docker_engine import inject_deferred_mail

UNAVAILABLE = ("Postfix queue is unavailable. Ensure the Postfix container is running and "
               "Docker socket access is configured.")


@pytest.fixture
def docker_app(tmp_path, sandbox, docker_engine, mailcow_containers):
    app = create_app(app_config(tmp_path, sandbox, DOCKER_HOST=docker_engine.base_url))
    with app.app_context():
        create_admin("root", "correct-horse-battery")
        create_admin("scoped", "correct-horse-battery", domains=["mine.test"],
                     permissions=["logs"])
        db.session.remove()
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def postfix(docker_engine, mailcow_containers):
    """The Postfix container with an empty queue."""
    container = docker_engine.client.containers.get(mailcow_containers.postfix)
    container.exec_run(["postsuper", "-d", "ALL"])
    yield container
    container.exec_run(["postsuper", "-d", "ALL"])


def signed_in(app, username="root"):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def queue_state(container) -> dict[str, str]:
    """queue id -> queue name, straight from Postfix."""
    code, out = container.exec_run(["postqueue", "-j"])
    assert code == 0, out
    found = {}
    for line in out.decode().splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            found[item["queue_id"]] = item["queue_name"]
    return found


def post(client, path, **data):
    token = csrf_token(client, "/queue")
    return client.post(path, data={"csrf_token": token, **data})


def page(client, path="/queue"):
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def test_lists_deferred_mail_with_counts_and_search(docker_app, postfix):
    ids = inject_deferred_mail(postfix, 2, sender="alice@mine.test",
                               recipients=("bob@remote.test",))
    other = inject_deferred_mail(postfix, 1, sender="carol@elsewhere.test",
                                 recipients=("dave@remote.test",))
    client = signed_in(docker_app)
    status, body = page(client)
    assert status == 200
    for queue_id in ids + other:
        assert queue_id in body
    assert "alice@mine.test" in body and "bob@remote.test" in body
    assert "Connection refused" in body  # the delay reason Postfix gave
    assert re.search(r"Deferred\s*<span class=\"badge warn\">3</span>", body)

    status, body = page(client, "/queue?q=carol")
    assert other[0] in body and ids[0] not in body
    status, body = page(client, "/queue?q=refused&queue=hold")
    assert "The queue is empty." in body or "No queued message matches" in body
    # The HTMX search answers only the table.
    response = client.get("/queue?q=alice", headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert "<html" not in text and ids[0] in text and other[0] not in text


def test_hold_then_release_real_queue_ids(docker_app, postfix):
    (queue_id,) = inject_deferred_mail(postfix, 1)
    client = signed_in(docker_app)
    response = post(client, "/queue/act", action="hold", ids=queue_id, back="/queue")
    assert response.status_code == 303
    assert queue_state(postfix)[queue_id] == "hold"
    body = client.get("/queue").get_data(as_text=True)
    assert f"postsuper: {queue_id}: placed on hold" in body  # Postfix's own words
    assert "Placed on hold: 1 message" in body

    post(client, "/queue/act", action="release", ids=queue_id)
    assert queue_state(postfix)[queue_id] != "hold"
    body = client.get("/queue").get_data(as_text=True)
    assert "Released from hold: 1 message" in body


def test_deliver_now_makes_postfix_try_again(docker_app, postfix):
    (queue_id,) = inject_deferred_mail(postfix, 1)

    def attempts() -> int:
        _, log = postfix.exec_run(["cat", "/var/log/postfix.log"])
        return len(re.findall(rf"{queue_id}: to=<.*status=deferred", log.decode()))

    before = attempts()
    client = signed_in(docker_app)
    post(client, "/queue/act", action="deliver", ids=queue_id)
    deadline = time.monotonic() + 20
    while attempts() == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert attempts() > before
    body = client.get("/queue").get_data(as_text=True)
    assert "1 message: delivery scheduled." in body


def test_delete_asks_first_then_removes(docker_app, postfix):
    ids = inject_deferred_mail(postfix, 2)
    client = signed_in(docker_app)
    token = csrf_token(client, "/queue")
    confirm = client.post("/queue/act", data={"csrf_token": token, "action": "delete",
                                              "ids": ids})
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Delete 2 queued messages?" in text
    assert set(queue_state(postfix)) >= set(ids)  # nothing happened yet
    client.post("/queue/act", data={"csrf_token": token, "action": "delete", "ids": ids,
                                    "confirm": "1"})
    assert not set(queue_state(postfix)) & set(ids)
    assert "2 messages: deleted." in client.get("/queue").get_data(as_text=True)


def test_flush_and_delete_all_deferred(docker_app, postfix):
    ids = inject_deferred_mail(postfix, 3)
    client = signed_in(docker_app)
    assert post(client, "/queue/flush").status_code == 303
    assert "Flush requested" in client.get("/queue").get_data(as_text=True)

    confirm = post(client, "/queue/delete-deferred")
    assert "Delete all 3 deferred messages?" in confirm.get_data(as_text=True)
    assert set(queue_state(postfix)) >= set(ids)
    post(client, "/queue/delete-deferred", confirm="1")
    assert not set(queue_state(postfix)) & set(ids)


def test_headers_show_postcat_output(docker_app, postfix):
    (queue_id,) = inject_deferred_mail(postfix, 1, sender="hdr@mine.test")
    status, body = page(signed_in(docker_app), f"/queue/{queue_id}")
    assert status == 200
    assert "Subject: MailApp test message 1/1" in body
    assert "sender: hdr@mine.test" in body  # the envelope record
    assert "Queued by the MailApp tests." not in body  # headers only, no body


@pytest.mark.parametrize("queue_id", ["ALL", "4bc1d2e3f4", "-d", "ABCDEF1234"])
def test_bad_or_unknown_ids_are_404_and_act_on_nothing(docker_app, postfix, queue_id):
    (kept,) = inject_deferred_mail(postfix, 1)
    client = signed_in(docker_app)
    assert client.get(f"/queue/{queue_id}").status_code == 404
    response = post(client, "/queue/act", action="delete", ids=[kept, queue_id], confirm="1")
    assert response.status_code == 303
    assert kept in queue_state(postfix)
    assert "no longer in the queue" in client.get("/queue").get_data(as_text=True)


def test_domain_admin_sees_and_touches_only_their_domains(docker_app, postfix):
    (mine,) = inject_deferred_mail(postfix, 1, sender="me@mine.test")
    (theirs,) = inject_deferred_mail(postfix, 1, sender="x@other.test",
                                     recipients=("y@remote.test",))
    client = signed_in(docker_app, "scoped")
    status, body = page(client)
    assert status == 200 and mine in body and theirs not in body and "other.test" not in body
    assert "Flush queue" not in body
    assert client.get(f"/queue/{theirs}").status_code == 404
    assert client.get(f"/queue/{mine}").status_code == 200
    post(client, "/queue/act", action="hold", ids=[theirs])
    post(client, "/queue/act", action="delete", ids=[theirs], confirm="1")
    assert queue_state(postfix)[theirs] == "deferred"
    assert post(client, "/queue/flush").status_code == 404
    assert post(client, "/queue/delete-deferred", confirm="1").status_code == 404
    assert theirs in queue_state(postfix)


def test_postfix_stopped_says_so(docker_app, postfix_stopped):
    status, body = page(signed_in(docker_app))
    assert status == 200
    assert UNAVAILABLE in body
    assert "not running" in body


def test_engine_stopped_says_so_and_the_rest_works(docker_app, docker_engine_stopped):
    client = signed_in(docker_app)
    status, body = page(client)
    assert UNAVAILABLE in body and "Docker socket not reachable at" in body
    assert client.get("/domains").status_code == 200
