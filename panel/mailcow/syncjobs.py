"""Mailcow sync jobs (imapsync pulling a remote IMAP mailbox into a local one).

Mailcow reads jobs through `get/syncjobs/all` or `get/syncjobs/{owner}`, optionally with
`/no_log` (the last run's output left out); there is no read of one job by id. Reads
never carry the remote password (only Mailcow's internal `with_password` does), and
MailApp's records have no field for it. Mailcow stores that password in plain text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.wire import as_int, flag, parse_time

ENCRYPTIONS = ("TLS", "SSL", "PLAIN")
DEFAULT_PORTS = {"TLS": 143, "SSL": 993, "PLAIN": 143}
# Mailcow's ranges (functions.mailbox.inc.php): outside them it refuses (interval, port)
# or quietly stores the default (max age 0, bandwidth 0, timeouts 600).
MAX_INTERVAL = 43800
MAX_AGE = 32000
MAX_TIMEOUT = 32000
MAX_BYTES_PER_SECOND = 125000000

RUNNING, WAITING, INACTIVE = "running", "waiting", "inactive"

# $IMAPSYNC_OPTIONS['whitelist'] of Mailcow's vars.inc.php: the only imapsync options a
# job's custom parameters may name. Options that rewrite or pipe messages
# (regexmess, pipemess, regextrans2, ...) are not among them.
ALLOWED_OPTIONS = frozenset("""
abort authmd51 authmd52 authmech1 authmech2 authuser1 authuser2 debug debugcontent
debugcrossduplicates debugflags debugfolders debugimap debugimap1 debugimap2 debugmemory
debugssl delete1emptyfolders delete2folders disarmreadreceipts domain1 domain2 domino1
domino2 dry errorsmax exchange1 exchange2 exitwhenover expunge1 f1f2 filterbuggyflags
folder folderfirst folderlast folderrec gmail1 gmail2 idatefromheader include inet4 inet6
justconnect justfolders justfoldersizes justlogin keepalive1 keepalive2 log logdir logfile
maxbytesafter maxlinelength maxmessagespersecond maxsize maxsleep minage minsize
noabletosearch noabletosearch1 noabletosearch2 noexpunge1 noexpunge2 nofoldersizesatend
noid nolog nomixfolders noresyncflags nossl1 nossl2 nosyncacls notls1 notls2 nouidexpunge2
nousecache oauthaccesstoken1 oauthaccesstoken2 oauthdirect1 oauthdirect2 office1 office2
pidfile pidfilelocking prefix1 prefix2 proxyauth1 proxyauth2 resyncflags resynclabels
search search1 search2 sep1 sep2 showpasswords skipemptyfolders ssl2 sslargs1 sslargs2
subfolder1 subscribe subscribed syncacls syncduplicates syncinternaldates synclabels tests
testslive testslive6 tls2 truncmess usecache useheader useuid
""".split())


def custom_params_refusal(custom_params: str) -> str | None:
    """Mailcow's check of the custom parameters: None, or its refusal ("bad option x",
    "bad character SPACE"). It splits the text at every "-" and takes each piece up to
    "=" (or its end) as an option name, so a value must follow "=" and contain no "-"."""
    for part in custom_params.split("-"):
        if part in ("", "0"):  # PHP empty()
            continue
        part = part.split("=")[0] if "=" in part else part.rstrip(" ")
        if " " in part:
            return "bad character SPACE"
        if part.lower() not in ALLOWED_OPTIONS:
            return "bad option " + part
    return None


@dataclass(frozen=True)
class SyncJob:
    id: int
    owner: str                    # the local mailbox the mail is copied into (user2)
    host: str
    port: int
    encryption: str               # TLS (STARTTLS), SSL (implicit TLS) or PLAIN
    user: str                     # the remote login (user1)
    interval: int                 # minutes between runs
    exclude: str                  # folders to leave out, a regular expression
    subfolder: str                # target folder on this server ("" = the mailbox root)
    max_age: int                  # days; 0 = any age
    max_bytes_per_second: int     # 0 = unlimited
    timeout_remote: int           # seconds (timeout1)
    timeout_local: int            # seconds (timeout2)
    delete_duplicates: bool       # delete2duplicates
    delete_from_source: bool      # delete1
    delete_on_destination: bool   # delete2: remove local mail that is not on the remote
    automap: bool
    skip_cross_duplicates: bool
    subscribe_all: bool
    dry_run: bool                 # imapsync --dry: report what it would do, change nothing
    custom_params: str
    active: bool
    is_running: bool
    last_run: datetime | None
    success: bool | None          # None: not run since it was added or reset
    exit_status: str
    created: datetime | None
    log: str = field(default="", repr=False)

    @property
    def domain(self) -> str:
        return self.owner.rpartition("@")[2].lower()

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def status(self) -> str:
        if self.is_running:
            return RUNNING
        return WAITING if self.active else INACTIVE


@dataclass
class SyncJobSettings:
    """What add and edit send. `password` None (or "") on edit keeps the stored one."""

    host: str
    user: str
    password: str | None = field(default=None, repr=False)
    port: int = 993
    encryption: str = "SSL"
    interval: int = 20
    exclude: str = "(?i)spam|(?i)junk"
    subfolder: str = "External"
    max_age: int = 0
    max_bytes_per_second: int = 0
    timeout_remote: int = 600
    timeout_local: int = 600
    delete_duplicates: bool = True
    delete_from_source: bool = False
    delete_on_destination: bool = False
    automap: bool = True
    skip_cross_duplicates: bool = False
    subscribe_all: bool = True
    dry_run: bool = False
    custom_params: str = ""
    active: bool = True

    def wire(self) -> dict:
        body = {
            "host1": self.host,
            "port1": str(self.port),
            "user1": self.user,
            "enc1": self.encryption,
            "mins_interval": str(self.interval),
            "subfolder2": self.subfolder,
            "maxage": str(self.max_age),
            "maxbytespersecond": str(self.max_bytes_per_second),
            "timeout1": str(self.timeout_remote),
            "timeout2": str(self.timeout_local),
            "exclude": self.exclude,
            "custom_params": self.custom_params,
            "delete2duplicates": flag(self.delete_duplicates),
            "delete1": flag(self.delete_from_source),
            "delete2": flag(self.delete_on_destination),
            "automap": flag(self.automap),
            "skipcrossduplicates": flag(self.skip_cross_duplicates),
            "subscribeall": flag(self.subscribe_all),
            "dry": flag(self.dry_run),
            "active": flag(self.active),
        }
        if self.password:
            body["password1"] = self.password
        return body

    def audit(self) -> dict:
        """The settings for the audit trail: whether a password was sent, never which."""
        values = {k: v for k, v in self.__dict__.items() if k != "password"}
        values["new_remote_login_sent"] = bool(self.password)
        return values

    @classmethod
    def of(cls, job: SyncJob) -> "SyncJobSettings":
        return cls(host=job.host, user=job.user, password=None, port=job.port,
                   encryption=job.encryption, interval=job.interval, exclude=job.exclude,
                   subfolder=job.subfolder, max_age=job.max_age,
                   max_bytes_per_second=job.max_bytes_per_second,
                   timeout_remote=job.timeout_remote, timeout_local=job.timeout_local,
                   delete_duplicates=job.delete_duplicates,
                   delete_from_source=job.delete_from_source,
                   delete_on_destination=job.delete_on_destination, automap=job.automap,
                   skip_cross_duplicates=job.skip_cross_duplicates,
                   subscribe_all=job.subscribe_all, dry_run=job.dry_run,
                   custom_params=job.custom_params,
                   active=job.active)


def _on(value: Any) -> bool:
    return as_int(value) == 1


def from_wire(d: dict) -> SyncJob:
    success = d.get("success")
    return SyncJob(
        id=as_int(d["id"]),
        owner=str(d.get("user2") or ""),
        host=str(d.get("host1") or ""),
        port=as_int(d.get("port1")),
        encryption=str(d.get("enc1") or ""),
        user=str(d.get("user1") or ""),
        interval=as_int(d.get("mins_interval")),
        exclude=str(d.get("exclude") or ""),
        subfolder=str(d.get("subfolder2") or ""),
        max_age=as_int(d.get("maxage")),
        max_bytes_per_second=as_int(d.get("maxbytespersecond")),
        timeout_remote=as_int(d.get("timeout1")),
        timeout_local=as_int(d.get("timeout2")),
        delete_duplicates=_on(d.get("delete2duplicates")),
        delete_from_source=_on(d.get("delete1")),
        delete_on_destination=_on(d.get("delete2")),
        automap=_on(d.get("automap")),
        skip_cross_duplicates=_on(d.get("skipcrossduplicates")),
        subscribe_all=_on(d.get("subscribeall")),
        dry_run=_on(d.get("dry")),
        custom_params=str(d.get("custom_params") or ""),
        active=_on(d.get("active")),
        is_running=_on(d.get("is_running")),
        last_run=parse_time(d.get("last_run")),
        success=None if success is None or success == "" else _on(success),
        exit_status=str(d.get("exit_status") or ""),
        created=parse_time(d.get("created")),
        log=str(d.get("log") or ""),
    )


def _items(data: Any) -> list[SyncJob]:
    # Mailcow answers {} rather than [] when there are none.
    if not isinstance(data, list):
        return []
    return [from_wire(d) for d in data if isinstance(d, dict) and d.get("id") is not None]


class SyncJobsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[SyncJob]:
        """Every job, without the run output (Mailcow walks every mailbox for this)."""
        return _items(self.client.get("syncjobs/all/no_log"))

    def of_owner(self, owner: str, with_log: bool = False) -> list[SyncJob]:
        path = "syncjobs/" + quote(owner, safe="@")
        return _items(self.client.get(path if with_log else path + "/no_log"))

    def get(self, job_id: int, with_log: bool = False) -> SyncJob:
        for job in self.all():
            if job.id == job_id:
                return self.with_log(job) if with_log else job
        raise NotFound(f"Sync job {job_id} does not exist")

    def with_log(self, job: SyncJob) -> SyncJob:
        """The job read again through its owner, with the last run's output."""
        for found in self.of_owner(job.owner, with_log=True):
            if found.id == job.id:
                return found
        raise NotFound(f"Sync job {job.id} does not exist")

    def add(self, owner: str, settings: SyncJobSettings) -> Outcome:
        return self.client.write("add", "syncjob", {"username": owner, **settings.wire()})

    def edit(self, job_id: int, settings: SyncJobSettings) -> Outcome:
        return self.client.write("edit", "syncjob", {"items": [str(job_id)],
                                                     "attr": settings.wire()})

    def set_active_many(self, job_ids: list[int], active: bool) -> Outcome:
        return self.client.write("edit", "syncjob", {"items": [str(i) for i in job_ids],
                                                     "attr": {"active": flag(active)}})

    def reset_last_run(self, job_ids: list[int]) -> Outcome:
        """Forget the last run so the job runs at the next minute (Mailcow's "run now")."""
        return self.client.write("edit", "syncjob", {"items": [str(i) for i in job_ids],
                                                     "attr": {"last_run": "", "success": ""}})

    def delete(self, job_ids: list[int]) -> Outcome:
        return self.client.write("delete", "syncjob", [str(i) for i in job_ids])
