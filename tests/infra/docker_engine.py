"""A private Docker engine for the tests, with containers labelled like Mailcow's.

Interface: fixtures `docker_engine` (.socket, .base_url, .client, .stop(), .start()),
`docker_engine_stopped`, `mailcow_images`, `mailcow_containers` (names, ids, .postfix …),
`postfix_stopped`; helper `inject_deferred_mail(container, count) -> [queue ids]`.

The engine is a dockerd of our own, bound to a unix socket in a temporary directory and
told to leave the host's network alone (--bridge=none, no iptables), so several test runs
can share a machine. There is no registry to pull from: the one image is a Debian
bookworm rootfs made by debootstrap with Postfix inside, built once and cached by a hash
of its recipe (MAILAPP_TEST_IMAGE_CACHE, default /var/cache/mailapp-test-images).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

try:
    import docker
    from docker.errors import DockerException
except ImportError:  # pragma: no cover - docker is a MailApp dependency
    docker = None
    DockerException = Exception

PROJECT = "mailcowdockerized"
POSTFIX_IMAGE = "local/mailapp-postfix"
STAND_IN_IMAGE = "local/mailapp-stand-in"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
APT_PACKAGES = ("docker.io", "debootstrap")
SECOND = 1_000_000_000  # Docker counts health-check times in nanoseconds

# --- the image recipe: everything here goes into the cache hash -------------------------

RECIPE_VERSION = "1"
DEBOOTSTRAP_ARGS = ("--variant=minbase", "--include=postfix", "bookworm")

# Postfix as the notes describe it: its own log file (no syslog in a container), mail
# for elsewhere relayed to a closed port so it stays deferred, no SMTP listener (tests
# from several engineers share the host's loopback, and only sendmail feeds the queue).
POSTFIX_SETTINGS = (
    "myhostname=mail.mailapp.test",
    "mydomain=mailapp.test",
    "myorigin=$myhostname",
    "mydestination=",
    "maillog_file=/var/log/postfix.log",
    "relayhost=[127.0.0.1]:1",
    "inet_interfaces=127.0.0.1",
    "inet_protocols=ipv4",
    "default_transport=smtp",
    "relay_transport=smtp",
    "smtp_tls_security_level=none",
    "alias_maps=",
    "alias_database=",
    "compatibility_level=3.6",
)

POSTFIX_ENTRYPOINT = """#!/bin/sh
# Postfix as Mailcow's postfix-mailcow runs it: the master in the background, its log on
# stdout so `docker logs` shows it; a TERM stops Postfix cleanly.
touch /var/log/postfix.log
tail -n 0 -F /var/log/postfix.log &
tailer=$!
trap 'postfix stop; kill $tailer; exit 0' TERM INT
postfix start
wait $tailer
"""

# A stand-in for the other Mailcow services: one timestamped line a second, and a
# warning every fifth, so tests have a log that grows and something to filter.
TICKER = """#!/bin/sh
# mailapp-ticker NAME: prints "<UTC time> NAME: tick N" once a second.
trap 'exit 0' TERM INT
n=0
while :; do
    n=$((n + 1))
    now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    echo "$now $1: tick $n"
    if [ $((n % 5)) -eq 0 ]; then echo "$now $1: warning: tick $n is a multiple of five"; fi
    sleep 1
done
"""

TRIM = ("usr/share/doc", "usr/share/man", "usr/share/locale", "usr/share/info",
        "var/cache/apt", "var/lib/apt/lists")


def recipe_hash() -> str:
    recipe = "\n".join([RECIPE_VERSION, *DEBOOTSTRAP_ARGS, *POSTFIX_SETTINGS,
                        POSTFIX_ENTRYPOINT, TICKER, *TRIM])
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


# --- installing and locating what we need ------------------------------------------------

def _ensure_packages() -> str | None:
    """Install docker.io and debootstrap when missing; None, or why it cannot be done."""
    if shutil.which("dockerd") and shutil.which("debootstrap"):
        return None
    if os.geteuid() != 0:
        return "dockerd/debootstrap missing and not root to apt-get install docker.io debootstrap"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *APT_PACKAGES]
    for attempt in (install, ["apt-get", "update", "-q"], install):
        done = subprocess.run(attempt, env=env, capture_output=True, text=True, timeout=600)
        if attempt is install and done.returncode == 0:
            break
    else:
        return f"apt-get install {' '.join(APT_PACKAGES)} failed: {done.stderr.strip()[-300:]}"
    if not (shutil.which("dockerd") and shutil.which("debootstrap")):
        return "docker.io/debootstrap installed but dockerd or debootstrap is not on PATH"
    return None


def debian_mirror() -> str:
    """The machine's own Debian mirror (the only network we have), else deb.debian.org."""
    if os.environ.get("MAILAPP_TEST_DEBIAN_MIRROR"):
        return os.environ["MAILAPP_TEST_DEBIAN_MIRROR"]
    candidates = []
    sources = Path("/etc/apt/sources.list.d")
    for path in sorted(sources.glob("*.sources")) if sources.is_dir() else []:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("URIs:"):
                candidates += line.split()[1:]
    listing = Path("/etc/apt/sources.list")
    if listing.exists():
        for line in listing.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "deb":
                candidates.append(next(p for p in parts[1:] if not p.startswith("[")))
    for uri in candidates:
        if uri.rstrip("/").endswith("/debian"):
            return uri
    return "http://deb.debian.org/debian"


def cache_dir() -> Path:
    wanted = Path(os.environ.get("MAILAPP_TEST_IMAGE_CACHE", "/var/cache/mailapp-test-images"))
    try:
        wanted.mkdir(parents=True, exist_ok=True)
        probe = wanted / ".probe"
        probe.touch()
        probe.unlink()
        return wanted
    except OSError:
        fallback = Path.home() / ".cache" / "mailapp-test-images"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


# --- the engine ---------------------------------------------------------------------------

def _stop_on_sigterm() -> None:
    """A SIGTERM (a CI timeout, `timeout`) ends pytest like Ctrl-C, so the session
    teardown still stops dockerd and removes its directory."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        def interrupt(signum, frame):
            raise KeyboardInterrupt(f"signal {signum}")
        signal.signal(signal.SIGTERM, interrupt)


class EngineUnavailable(RuntimeError):
    """dockerd could not be started on this machine."""


@dataclass
class DockerEngine:
    """One dockerd of our own; `stop()` and `start()` let tests see it gone and back."""

    root: Path
    socket: str = ""
    base_url: str = ""
    client: object = None
    _proc: subprocess.Popen | None = None
    _log: object = None

    def __post_init__(self):
        self.socket = str(self.root / "docker.sock")
        self.base_url = f"unix://{self.socket}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _argv(self) -> list[str]:
        config = self.root / "daemon.json"
        config.write_text("{}\n")  # not the host's /etc/docker/daemon.json
        # setpriv: dockerd gets SIGTERM when the test process dies, however it dies, so
        # none outlives its run (no preexec_fn: forking Python with threads can deadlock).
        guard = ["setpriv", "--pdeathsig", "TERM"] if shutil.which("setpriv") else []
        return [*guard, "dockerd", "-H", self.base_url, "--config-file", str(config),
                "--iptables=false", "--ip-masq=false", "--bridge=none",
                "--storage-driver=vfs", "--data-root", str(self.root / "data"),
                "--exec-root", str(self.root / "exec"), "--pidfile", str(self.root / "docker.pid"),
                "--shutdown-timeout=5", "--log-level=warn"]

    def start(self, timeout: float = 60) -> None:
        if self.running:
            return
        self._log = open(self.root / "dockerd.log", "ab")
        self._proc = subprocess.Popen(self._argv(), stdout=self._log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise EngineUnavailable(f"dockerd exited with {self._proc.returncode}: "
                                        f"{self.log_tail()}")
            if os.path.exists(self.socket):
                client = docker.DockerClient(base_url=self.base_url, timeout=120)
                try:
                    client.ping()
                except DockerException:
                    client.close()
                else:
                    if self.client is not None:
                        self.client.close()
                    self.client = client
                    return
            time.sleep(0.2)
        self.stop()
        raise EngineUnavailable(f"dockerd not ready after {timeout:.0f} s: {self.log_tail()}")

    def stop(self, timeout: float = 60) -> None:
        """Stop dockerd (it stops the containers first); the socket stops answering."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(10)
        self._proc = None
        if self._log:
            self._log.close()
            self._log = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = (self.root / "dockerd.log").read_text(errors="replace")
        except OSError:
            return ""
        return " | ".join(text.strip().splitlines()[-lines:])

    def cleanup(self) -> None:
        self.stop()
        if self.client is not None:
            self.client.close()
        # A container killed mid-way can leave a mount (shm, overlay of vfs) behind.
        root = str(self.root)
        with open("/proc/self/mounts") as mounts:
            points = [line.split()[1] for line in mounts if line.split()[1].startswith(root)]
        for point in sorted(points, key=len, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def docker_engine():
    """A running dockerd on a private unix socket for the whole session."""
    if docker is None:
        pytest.skip("the docker Python SDK is not installed")
    why = _ensure_packages()
    if why:
        pytest.skip(f"no Docker engine: {why}")
    _stop_on_sigterm()
    engine = DockerEngine(Path(tempfile.mkdtemp(prefix="mailapp-dockerd-")))
    try:
        engine.start()
    except EngineUnavailable as exc:
        engine.cleanup()
        pytest.skip(f"this machine cannot run a Docker engine: {exc}")
    yield engine
    engine.cleanup()


@pytest.fixture
def docker_engine_stopped(docker_engine):
    """The engine stopped for one test; afterwards it runs again with the containers that
    were running before."""
    was_running = [c.id for c in docker_engine.client.containers.list()]
    docker_engine.stop()
    yield docker_engine
    docker_engine.start()
    for container_id in was_running:
        container = docker_engine.client.containers.get(container_id)
        if container.status != "running":
            container.start()
    wait_ready(docker_engine.client, was_running)


# --- the image ----------------------------------------------------------------------------

# What debootstrap says when the mirror is out of reach (the one reason to skip; any other
# build failure is a failure).
UNREACHABLE = ("Failed getting release file", "Couldn't download", "Temporary failure resolving",
               "Connection refused", "Network is unreachable")


class MirrorUnreachable(RuntimeError):
    """No Debian mirror to build the image from."""


def _chroot(rootfs: Path, *argv: str) -> None:
    done = subprocess.run(["chroot", str(rootfs), *argv], capture_output=True, text=True,
                          env={"PATH": PATH_ENV.split("=", 1)[1], "LANG": "C"})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} in the image failed: {done.stderr.strip()}")


def build_rootfs_tar(target: Path) -> None:
    """debootstrap bookworm with Postfix, configure it, and tar the tree to `target`."""
    work = Path(tempfile.mkdtemp(prefix="build-", dir=target.parent))
    rootfs = work / "rootfs"
    try:
        done = subprocess.run(["debootstrap", *DEBOOTSTRAP_ARGS, str(rootfs), debian_mirror()],
                              capture_output=True, text=True, timeout=900,
                              env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if done.returncode != 0:
            said = done.stdout + done.stderr
            if any(sign in said for sign in UNREACHABLE):
                raise MirrorUnreachable(f"debootstrap cannot reach {debian_mirror()}: "
                                        + said.strip()[-300:])
            raise RuntimeError("debootstrap failed: " + said[-800:])
        _chroot(rootfs, "postconf", "-e", *POSTFIX_SETTINGS)
        _chroot(rootfs, "postconf", "-M#", "smtp/inet")  # no SMTP listener
        # Debian's init script copies /etc files into the chroot; `postfix start` doesn't.
        _chroot(rootfs, "postconf", "-F", "*/*/chroot = n")
        (rootfs / "etc/mailname").write_text("mail.mailapp.test\n")
        bin_dir = rootfs / "usr/local/bin"
        for name, text in (("mailapp-postfix", POSTFIX_ENTRYPOINT), ("mailapp-ticker", TICKER)):
            (bin_dir / name).write_text(text)
            (bin_dir / name).chmod(0o755)
        for path in TRIM:
            shutil.rmtree(rootfs / path, ignore_errors=True)
        partial = target.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(partial), "."],
                       check=True, capture_output=True)
        partial.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rootfs_tar() -> Path:
    """The cached rootfs tarball for the current recipe, built under a lock if missing."""
    directory = cache_dir()
    target = directory / f"rootfs-{recipe_hash()}.tar"
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be building it right now
        if not target.exists():
            build_rootfs_tar(target)
            for old in directory.glob("rootfs-*.tar"):
                if old != target:
                    old.unlink(missing_ok=True)
    return target


@dataclass(frozen=True)
class MailcowImages:
    postfix: str
    stand_in: str
    recipe: str


@pytest.fixture(scope="session")
def mailcow_images(docker_engine):
    """local/mailapp-postfix (real Postfix) and local/mailapp-stand-in (same rootfs)."""
    if os.geteuid() != 0:
        pytest.skip("building the test image needs root (debootstrap, chroot)")
    try:
        tarball = rootfs_tar()
    except MirrorUnreachable as exc:
        pytest.skip(f"cannot build the Postfix test image: {exc}")
    client = docker_engine.client
    client.api.import_image_from_file(
        str(tarball), repository=POSTFIX_IMAGE, tag="latest",
        changes=[f"ENV {PATH_ENV}", 'CMD ["/usr/local/bin/mailapp-postfix"]'])
    client.images.get(POSTFIX_IMAGE).tag(STAND_IN_IMAGE, "latest")
    return MailcowImages(f"{POSTFIX_IMAGE}:latest", f"{STAND_IN_IMAGE}:latest", recipe_hash())


# --- the containers -----------------------------------------------------------------------

def compose_labels(service: str, project: str = PROJECT) -> dict[str, str]:
    return {"com.docker.compose.project": project, "com.docker.compose.service": service,
            "com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False"}


@dataclass
class MailcowContainers:
    project: str
    postfix: str
    dovecot: str
    rspamd: str
    unrelated: str
    other_project: str
    ids: dict[str, str] = field(default_factory=dict)  # name -> id
    services: dict[str, str] = field(default_factory=dict)  # labelled service -> name

    @property
    def listed(self) -> set[str]:
        """The names MailApp must list for PROJECT (and no others)."""
        return {self.postfix, self.dovecot, self.rspamd}


def _postfix_ready(container) -> bool:
    code, _ = container.exec_run(["postfix", "status"])
    return code == 0


def wait_ready(client, ids, timeout: float = 60) -> None:
    """Running, health settled (healthy or unhealthy, not starting), Postfix answering."""
    deadline = time.monotonic() + timeout
    pending = list(ids)
    while pending and time.monotonic() < deadline:
        still = []
        for container_id in pending:
            container = client.containers.get(container_id)
            health = container.attrs["State"].get("Health", {}).get("Status")
            ok = container.status == "running" and health != "starting"
            if ok and container.labels.get("com.docker.compose.service") == "postfix-mailcow" \
                    and container.labels.get("com.docker.compose.project") == PROJECT:
                ok = _postfix_ready(container)
            if not ok:
                still.append(container_id)
        pending = still
        if pending:
            time.sleep(0.3)
    if pending:
        raise RuntimeError(f"containers not ready after {timeout:.0f} s: {pending}")


@pytest.fixture(scope="session")
def mailcow_containers(docker_engine, mailcow_images):
    """Mailcow-labelled postfix (real), dovecot (healthy ticker), rspamd (unhealthy ticker),
    plus an unlabelled container and one of another compose project, all network host."""
    client = docker_engine.client
    stand_in = mailcow_images.stand_in

    def health(command: str) -> dict:
        return {"test": ["CMD", command], "interval": SECOND, "timeout": SECOND,
                "retries": 1, "start_period": 0}

    specs = [
        ("postfix", f"{PROJECT}-postfix-mailcow-1", mailcow_images.postfix, None,
         compose_labels("postfix-mailcow"), None),
        ("dovecot", f"{PROJECT}-dovecot-mailcow-1", stand_in,
         ["/usr/local/bin/mailapp-ticker", "dovecot"], compose_labels("dovecot-mailcow"),
         health("true")),
        ("rspamd", f"{PROJECT}-rspamd-mailcow-1", stand_in,
         ["/usr/local/bin/mailapp-ticker", "rspamd"], compose_labels("rspamd-mailcow"),
         health("false")),
        ("unrelated", "unrelated-ticker", stand_in,
         ["/usr/local/bin/mailapp-ticker", "unrelated"], {}, None),
        ("other_project", "otherproject-postfix-mailcow-1", stand_in,
         ["/usr/local/bin/mailapp-ticker", "other"], compose_labels("postfix-mailcow",
                                                                   "otherproject"), None),
    ]
    names, ids, services = {}, {}, {}
    for role, name, image, command, labels, healthcheck in specs:
        container = client.containers.run(
            image, command=command, name=name, labels=labels, detach=True,
            network_mode="host", healthcheck=healthcheck, stop_signal="SIGTERM")
        names[role] = name
        ids[name] = container.id
        if labels.get("com.docker.compose.project") == PROJECT:
            services[labels["com.docker.compose.service"]] = name
    wait_ready(client, ids.values())
    yield MailcowContainers(project=PROJECT, ids=ids, services=services, **names)
    if docker_engine.running:
        for container_id in ids.values():
            with contextlib.suppress(DockerException):
                client.containers.get(container_id).remove(force=True)


@contextlib.contextmanager
def container_stopped(client, name: str):
    """The container stopped inside the block, running (and ready) again after it."""
    container = client.containers.get(name)
    container.stop(timeout=5)
    try:
        yield container
    finally:
        container = client.containers.get(name)
        if container.status != "running":
            container.start()
        wait_ready(client, [container.id])


@pytest.fixture
def postfix_stopped(docker_engine, mailcow_containers):
    """The Postfix container stopped for one test, started again afterwards."""
    with container_stopped(docker_engine.client, mailcow_containers.postfix) as container:
        yield container


# --- mail that stays in the queue ---------------------------------------------------------

def _queue(container, queue: str) -> dict[str, int]:
    """queue id -> arrival time of the messages in one of Postfix's queues."""
    code, output = container.exec_run(["postqueue", "-j"])
    if code != 0:
        raise RuntimeError(f"postqueue -j failed: {output.decode(errors='replace')}")
    found = {}
    for line in output.decode().splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            if item.get("queue_name") == queue:
                found[item["queue_id"]] = int(item.get("arrival_time") or 0)
    return found


def _sendmail(container, argv: list[str], message: bytes) -> None:
    """Run argv in the container with `message` on its stdin (a Docker exec attach)."""
    api = container.client.api
    exec_id = api.exec_create(container.id, argv, stdin=True, stdout=True, stderr=True)["Id"]
    sock = api.exec_start(exec_id, socket=True)
    raw = getattr(sock, "_sock", sock)
    try:
        raw.sendall(message)
        raw.shutdown(socket.SHUT_WR)
        raw.settimeout(30)
        output = io.BytesIO()
        while chunk := raw.recv(65536):
            output.write(chunk)
    finally:
        sock.close()
    deadline = time.monotonic() + 30
    while (info := api.exec_inspect(exec_id))["Running"] and time.monotonic() < deadline:
        time.sleep(0.05)
    if info["ExitCode"] != 0:
        raise RuntimeError(f"{argv[0]} exited with {info['ExitCode']}: "
                           f"{output.getvalue().decode(errors='replace')}")


def inject_deferred_mail(container, count: int = 1, sender: str = "sender@example.org",
                         recipients: tuple[str, ...] = ("someone@example.net",),
                         subject: str = "MailApp test message", timeout: float = 60) -> list[str]:
    """Send `count` messages with sendmail inside the Postfix container and wait until they
    sit in the deferred queue (the relay is a closed port); their queue ids, oldest first."""
    before = set(_queue(container, "deferred"))
    for n in range(1, count + 1):
        message = (f"From: {sender}\r\nTo: {', '.join(recipients)}\r\n"
                   f"Subject: {subject} {n}/{count}\r\n\r\nQueued by the MailApp tests.\r\n")
        _sendmail(container, ["sendmail", "-i", "-f", sender, "--", *recipients],
                  message.encode())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deferred = _queue(container, "deferred")
        new = [queue_id for queue_id in deferred if queue_id not in before]
        if len(new) >= count:
            return sorted(new, key=lambda queue_id: (deferred[queue_id], queue_id))
        time.sleep(0.2)
    raise RuntimeError(f"{count} message(s) not deferred after {timeout:.0f} s")
