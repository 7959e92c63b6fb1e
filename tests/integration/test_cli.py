"""The command line: first start, create-admin, and the standalone sandbox."""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILCOW_", "MAILAPP_"))}
    env.pop("DATABASE_URL", None)
    env.update({"MAILAPP_INSTANCE_PATH": str(tmp_path / "instance"),
                "MAILAPP_SECURE_COOKIES": "0", "PYTHONUNBUFFERED": "1", **extra})
    return env


def read_until(proc, pattern, timeout=60):
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if re.search(pattern, line):
            return "".join(seen)
    raise AssertionError(f"{pattern!r} not printed; output was:\n{''.join(seen)}")


def test_first_start_prints_a_one_time_password_and_serves_the_sandbox(tmp_path):
    port = free_port()
    env = env_for(tmp_path, MAILAPP_BIND=f"127.0.0.1:{port}")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out = read_until(proc, r"listening on http://127\.0\.0\.1:%d/" % port)
        password = re.search(r"password: (\S+)", out).group(1)
        assert len(password) >= 16
        assert "SANDBOX" in out
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as web:
            login = web.get("/login")
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.text).group(1)
            signed = web.post("/login", data={"username": "admin", "password": password,
                                              "csrf_token": token})
            assert signed.status_code == 302
            page = web.get("/domains")
            assert page.status_code == 200
            assert "Sandbox" in page.text and "not connected to a mail server" in page.text
    finally:
        proc.terminate()
        proc.wait(10)
    # A second start finds the administrator and prints no password.
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out = read_until(proc, r"listening on")
        assert "password:" not in out
    finally:
        proc.terminate()
        proc.wait(10)


def test_create_admin_reads_password_from_stdin(tmp_path):
    env = env_for(tmp_path)
    ok = subprocess.run([sys.executable, "app.py", "create-admin", "Alice", "--password-stdin"],
                        cwd=ROOT, env=env, input="long-enough-password\n", text=True,
                        capture_output=True)
    assert ok.returncode == 0, ok.stderr
    assert "Global administrator alice created." in ok.stdout
    again = subprocess.run([sys.executable, "app.py", "create-admin", "alice", "--password-stdin"],
                           cwd=ROOT, env=env, input="long-enough-password\n", text=True,
                           capture_output=True)
    assert again.returncode == 1 and "already exists" in again.stderr
    short = subprocess.run([sys.executable, "app.py", "create-admin", "bob", "--password-stdin"],
                           cwd=ROOT, env=env, input="short\n", text=True, capture_output=True)
    assert short.returncode == 1 and "at least 10 characters" in short.stderr


def test_sandbox_command_prints_keys_that_work(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "app.py", "sandbox", "--bind", f"127.0.0.1:{port}",
                             "--db", str(tmp_path / "sb.sqlite3")], cwd=ROOT, env=env_for(tmp_path),
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out = read_until(proc, r"read-only API key:")
        rw = re.search(r"read-write API key: (\S+)", out).group(1)
        ro = re.search(r"read-only API key:\s+(\S+)", out).group(1)
        base = f"http://127.0.0.1:{port}/api/v1"
        for _ in range(50):
            try:
                domains = httpx.get(f"{base}/get/domain/all", headers={"X-API-Key": ro})
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert domains.status_code == 200 and len(domains.json()) >= 1
        refused = httpx.post(f"{base}/add/domain", json={"domain": "x.test"},
                             headers={"X-API-Key": ro})
        assert refused.status_code == 403
        added = httpx.post(f"{base}/add/domain", json={"domain": "x.test", "active": "1"},
                           headers={"X-API-Key": rw})
        assert added.json()[-1]["msg"] == ["domain_added", "x.test"]
    finally:
        proc.terminate()
        proc.wait(10)
