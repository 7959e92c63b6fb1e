"""A real authoritative DNS server (Debian's NSD) on 127.0.0.1 serving zones a test wrote."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import dns.message
import dns.query

NSD = shutil.which("nsd") or "/usr/sbin/nsd"


def nsd_available() -> bool:
    return Path(NSD).exists()


def free_port() -> int:
    """A port free for both UDP and TCP on loopback (NSD listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            try:
                t.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port")


def zone_text(origin: str, body: str) -> str:
    """A zone file: SOA and NS for `origin`, then `body` (records relative to it)."""
    return (f"$ORIGIN {origin}.\n$TTL 60\n"
            f"@ IN SOA ns.{origin}. hostmaster.{origin}. 1 3600 600 86400 60\n"
            f"@ IN NS ns.{origin}.\nns IN A 127.0.0.1\n{body}")


def txt_strings(value: str) -> str:
    """A TXT value as zone-file strings, split (as providers do) into 200-byte pieces."""
    pieces = [value[i:i + 200] for i in range(0, len(value), 200)]
    return " ".join(f'"{p}"' for p in pieces)


@contextmanager
def serve_zones(work: Path, zones: dict[str, str], probe: str) -> Iterator[int]:
    """Run NSD in the foreground for `zones` ({origin: zone text}); yields its port once
    it answers an A query for `probe`; stops it on exit."""
    port = free_port()
    config = [f"""server:
    ip-address: 127.0.0.1@{port}
    port: {port}
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "{work}"
    database: ""
    zonelistfile: "{work}/zone.list"
    xfrdfile: "{work}/xfrd.state"
    xfrdir: "{work}"
    pidfile: "{work}/nsd.pid"
    logfile: "{work}/nsd.log"
    server-count: 1
    hide-version: yes
remote-control:
    control-enable: no
"""]
    for origin, text in zones.items():
        (work / f"{origin}.zone").write_text(text)
        config.append(f"zone:\n    name: {origin}\n    zonefile: {origin}.zone\n")
    (work / "nsd.conf").write_text("".join(config))
    proc = subprocess.Popen([NSD, "-d", "-c", str(work / "nsd.conf")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                query = dns.message.make_query(f"{probe}.", "A")
                if dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5).answer:
                    break
            except Exception:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode() if proc.poll() is not None else ""
                log = (work / "nsd.log").read_text() if (work / "nsd.log").exists() else ""
                raise RuntimeError(f"nsd did not start: {out}\n{log}")
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
