"""Sync job use cases: list (searched and paged here), add, edit, delete, bulk — all audited.

The remote password goes to Mailcow and nowhere else: audit records say only whether a
new one was sent, and Mailcow's answers are read without their `log` (which echoes it).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from panel.access import visible_domains
from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowRefused, Outcome
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.syncjobs import SyncJob, SyncJobSettings

BULK_ACTIONS = ("activate", "deactivate", "run", "delete")
SORT_KEYS = {
    "id": lambda j: j.id,
    "owner": lambda j: (j.owner.lower(), j.id),
    "server": lambda j: (j.host.lower(), j.port, j.id),
    "last_run": lambda j: (j.last_run is not None, j.last_run or 0, j.id),
    "result": lambda j: ({None: 0, False: 1, True: 2}[j.success], j.exit_status, j.id),
    "active": lambda j: (j.active, j.id),
    "status": lambda j: (j.status, j.id),
}
# What imapsync's exit status means (Mailcow stores the name imapsync printed).
EXIT_STATUSES = {
    "EX_OK": _l("Completed"),
    "EXIT_CATCH_ALL": _l("Stopped on an unclassified error"),
    "EXIT_BY_SIGNAL": _l("Stopped by a signal"),
    "EXIT_BY_FILE": _l("Stopped by an abort file"),
    "EXIT_PID_FILE_ERROR": _l("Could not write its PID file"),
    "EXIT_CONNECTION_FAILURE": _l("Could not connect"),
    "EXIT_CONNECTION_FAILURE_HOST1": _l("Could not connect to the remote server"),
    "EXIT_CONNECTION_FAILURE_HOST2": _l("Could not connect to this server"),
    "EXIT_TLS_FAILURE": _l("TLS negotiation failed"),
    "EXIT_AUTHENTICATION_FAILURE": _l("Login failed"),
    "EXIT_AUTHENTICATION_FAILURE_USER1": _l("Remote login failed (wrong user or password)"),
    "EXIT_AUTHENTICATION_FAILURE_USER2": _l("Login to the local mailbox failed"),
    "EXIT_SUBFOLDER1_NO_EXISTS": _l("The source subfolder does not exist"),
    "EXIT_WITH_ERRORS": _l("Finished with errors"),
    "EXIT_WITH_ERRORS_MAX": _l("Stopped after too many errors"),
    "EXIT_OVERQUOTA": _l("The local mailbox is over quota"),
    "EXIT_ERR_APPEND": _l("Could not store messages locally"),
    "EXIT_ERR_FETCH": _l("Could not fetch messages from the remote server"),
    "EXIT_ERR_CREATE": _l("Could not create a folder"),
    "EXIT_ERR_SELECT": _l("Could not open a folder"),
    "EXIT_TRANSFER_EXCEEDED": _l("Stopped at the transfer limit"),
    "EXIT_ERR_APPEND_VIRUS": _l("A message was refused as a virus"),
    "EXIT_TESTS_FAILED": _l("imapsync self-tests failed"),
}
REFUSALS = {
    # Mailcow answers "access denied" for an unknown owner and for a port, interval,
    # encryption, host name or exclude pattern it does not accept.
    "access_denied": _l("Mailcow refused the job: the owner is not a mailbox it knows, or "
                        "the port, interval, encryption, host name or exclude pattern is "
                        "not accepted"),
}


def describe_exit(status: str) -> str:
    return str(EXIT_STATUSES.get(status, status))


def visible(mc: Mailcow, user) -> list[SyncJob]:
    """Every job `user` may see: those whose owner is in their domains."""
    jobs = mc.syncjobs.all()
    scope = visible_domains(user)
    return jobs if scope is None else [j for j in jobs if j.domain in scope]


def matches(job: SyncJob, needle: str) -> bool:
    needle = needle.lower()
    return any(needle in value.lower() for value in
               (job.owner, job.host, job.user, str(job.id), job.exit_status))


def list_syncjobs(mc: Mailcow, user, req: PageRequest, domain: str = "") -> Page[SyncJob]:
    found = visible(mc, user)
    if domain:
        found = [j for j in found if j.domain == domain.lower()]
    if req.search:
        found = [j for j in found if matches(j, req.search)]
    found.sort(key=SORT_KEYS.get(req.sort, SORT_KEYS["id"]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def _worded(exc: MailcowRefused) -> MailcowRefused:
    messages = []
    for message, key in zip(exc.messages, exc.keys, strict=False):
        if key in REFUSALS:
            message = str(REFUSALS[key])
        elif key.startswith("bad option "):
            message = str(_l("Mailcow does not allow the imapsync option --%(name)s in custom "
                             "parameters", name=key.removeprefix("bad option ")))
        messages.append(message)
    return MailcowRefused(messages, exc.keys)


def _worded_call(call):
    def run() -> Outcome:
        try:
            return call()
        except MailcowRefused as exc:
            raise _worded(exc) from exc
    return run


def _target(owner: str, settings_or_job) -> str:
    return f"{owner} ← {settings_or_job.user}@{settings_or_job.host}"


def create_syncjob(mc: Mailcow, owner: str, settings: SyncJobSettings) -> Outcome:
    return audited("syncjob.create", target=_target(owner, settings),
                   domain=owner.rpartition("@")[2].lower(), changes=settings.audit(),
                   call=_worded_call(lambda: mc.syncjobs.add(owner, settings)))


def update_syncjob(mc: Mailcow, before: SyncJob, settings: SyncJobSettings) -> Outcome:
    old, new = SyncJobSettings.of(before).audit(), settings.audit()
    changes = {k: [old[k], new[k]] for k in new if old.get(k) != new[k]}
    return audited("syncjob.update", target=f"#{before.id} {_target(before.owner, before)}",
                   domain=before.domain, changes=changes,
                   call=_worded_call(lambda: mc.syncjobs.edit(before.id, settings)))


def delete_syncjob(mc: Mailcow, job: SyncJob) -> Outcome:
    return audited("syncjob.delete", target=f"#{job.id} {_target(job.owner, job)}",
                   domain=job.domain, changes={"host": job.host, "user": job.user},
                   call=_worded_call(lambda: mc.syncjobs.delete([job.id])))


@dataclass
class BulkResult:
    done: list[SyncJob]
    failed: list[SyncJob]
    messages: list[str]


def bulk(mc: Mailcow, action: str, jobs: list[SyncJob]) -> BulkResult:
    """Activate, deactivate, run at the next minute or delete, in ONE Mailcow call.

    Mailcow's refusals do not name the job, so after one the jobs are read again to
    tell which were changed.
    """
    assert action in BULK_ACTIONS
    ids = [j.id for j in jobs]
    try:
        if action == "delete":
            mc.syncjobs.delete(ids)
        elif action == "run":
            mc.syncjobs.reset_last_run(ids)
        else:
            mc.syncjobs.set_active_many(ids, action == "activate")
    except MailcowRefused as exc:
        now = {j.id: j for j in mc.syncjobs.all()}
        if action == "delete":
            failed = [j for j in jobs if j.id in now]
        elif action == "run":
            failed = [j for j in jobs if j.id not in now or now[j.id].last_run is not None]
        else:
            failed = [j for j in jobs if j.id not in now
                      or now[j.id].active != (action == "activate")]
        result = BulkResult([j for j in jobs if j not in failed], failed,
                            _worded(exc).messages)
    else:
        result = BulkResult(list(jobs), [], [])
    verb = {"delete": "delete", "run": "run"}.get(action, "update")
    changes = {"active": action == "activate"} if verb == "update" else None
    for job in result.done:
        record(f"syncjob.{verb}", target=f"#{job.id} {_target(job.owner, job)}",
               domain=job.domain, changes=changes, detail=f"bulk {action} of {len(jobs)}")
    for job in result.failed:
        record(f"syncjob.{verb}", target=f"#{job.id} {_target(job.owner, job)}",
               domain=job.domain, changes=changes, outcome="failed",
               detail="; ".join(result.messages))
    return result
