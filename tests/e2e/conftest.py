"""Fixtures for Courriel's end-to-end tests.

The tests start the real ``courriel serve`` binary (``$COURRIEL_BIN``, default
``<repo>/build/courriel``) on free loopback ports with a fresh data directory
and a configuration file written by the test, and talk to it with imaplib or
raw sockets.  Run with Debian's interpreter:

    /usr/bin/python3 -m pytest -q tests/e2e

The same suite runs against a sanitizer build: COURRIEL_BIN=build-asan/courriel.
"""

import base64
import os
import re
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
COURRIEL_BIN = os.environ.get("COURRIEL_BIN") or str(REPO / "build" / "courriel")

# Anything printed by a sanitizer means the server misbehaved even if the
# test's protocol assertions passed.
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "ERROR: ThreadSanitizer",
    "WARNING: ThreadSanitizer",
    "runtime error",
)

READY_TIMEOUT = 15.0  # a sanitizer build starts slowly
STOP_TIMEOUT = 5.0
IO_TIMEOUT = 10.0


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that waits for a server timeout")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


_SIEVE_SUPPORT = None


def sieve_supported():
    """Whether the binary has ManageSieve (its default port 4190 must then be
    moved to a free one, or parallel servers would collide)."""
    global _SIEVE_SUPPORT
    if _SIEVE_SUPPORT is None:
        out = subprocess.run([COURRIEL_BIN, "serve", "--help"], capture_output=True, text=True)
        _SIEVE_SUPPORT = "--sieve" in out.stdout
    return _SIEVE_SUPPORT


def write_config(path, sections):
    lines = []
    for section, keys in sections.items():
        lines.append(f"[{section}]")
        for k, v in keys.items():
            lines.append(f"{k} = {toml_value(v)}")
        lines.append("")
    Path(path).write_text("\n".join(lines))


def run_cli(*args, stdin=None, timeout=30):
    """Runs the courriel binary with args; returns CompletedProcess (text)."""
    return subprocess.run(
        [COURRIEL_BIN, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_no_sanitizer_report(text, what="server"):
    for marker in SANITIZER_MARKERS:
        assert marker not in text, f"{what} reported '{marker}':\n{text[-4000:]}"


class Server:
    """One running ``courriel serve`` process."""

    def __init__(self, workdir, overrides=None, data_dir=None, extra_args=()):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = Path(data_dir) if data_dir else self.workdir / "data"
        self.imap_port = free_port()
        self.imaps_port = free_port()
        sections = {
            "server": {"data_dir": str(self.data_dir), "threads": 2, "log_level": "info"},
            "imap": {
                "listen": f"127.0.0.1:{self.imap_port}",
                "listen_tls": f"127.0.0.1:{self.imaps_port}",
            },
            "auth": {
                "failure_delay_ms": 50,
                "failure_delay_max_ms": 400,
                "max_failures_per_connection": 5,
            },
        }
        self.sieve_port = None
        if sieve_supported():
            self.sieve_port = free_port()
            sections["managesieve"] = {"listen": f"127.0.0.1:{self.sieve_port}"}
        for section, keys in (overrides or {}).items():
            sections.setdefault(section, {}).update(keys)
        self.config_path = self.workdir / "courriel.toml"
        write_config(self.config_path, sections)
        self.stderr_path = self.workdir / "stderr.log"
        self.extra_args = list(extra_args)
        self.proc = None
        self.returncode = None

    # -- lifecycle ---------------------------------------------------------
    def start(self):
        self._stderr = open(self.stderr_path, "ab")
        self._stderr_start = self.stderr_path.stat().st_size
        self.proc = subprocess.Popen(
            [COURRIEL_BIN, "serve", "--config", str(self.config_path), *self.extra_args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            cwd=self.workdir,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if re.search(r"\bready\b", self.stderr_since_start()):
                return self
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"courriel serve exited with {self.proc.returncode} before ready:\n"
                    + self.stderr_since_start()
                )
            time.sleep(0.02)
        self.proc.kill()
        self.proc.wait()
        raise AssertionError("courriel serve not ready in time:\n" + self.stderr_since_start())

    def stderr_since_start(self):
        with open(self.stderr_path, "rb") as f:
            f.seek(self._stderr_start)
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        return self.stderr_path.read_bytes().decode("utf-8", "replace")

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout=STOP_TIMEOUT):
        """SIGTERM; returns the exit code (None if it did not exit in time)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.returncode = None
        self._stderr.close()
        self.proc = None
        return self.returncode

    def stop_and_check(self):
        """SIGTERM, then assert a clean exit 0 and no sanitizer report."""
        if self.proc is not None:
            rc = self.terminate()
            assert rc is not None, (
                f"courriel did not exit within {STOP_TIMEOUT}s of SIGTERM:\n"
                + self.stderr()[-4000:]
            )
            assert rc == 0, f"courriel exited with {rc}:\n" + self.stderr()[-4000:]
        assert_no_sanitizer_report(self.stderr())

    # -- clients -----------------------------------------------------------
    def raw(self, tls=False, read_greeting=True):
        return RawClient.connect(
            "127.0.0.1", self.imaps_port if tls else self.imap_port, tls=tls,
            read_greeting=read_greeting,
        )

    def imap(self, starttls=True):
        import imaplib

        m = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=IO_TIMEOUT)
        if starttls:
            m.starttls(ssl_context=insecure_context())
        return m

    def imaps(self):
        import imaplib

        return imaplib.IMAP4_SSL(
            "127.0.0.1", self.imaps_port, ssl_context=insecure_context(), timeout=IO_TIMEOUT
        )

    def cli(self, *args, stdin=None):
        return run_cli(*args, "--data", str(self.data_dir), stdin=stdin)


def insecure_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class ConnectionClosed(Exception):
    pass


class RawClient:
    """A tiny line-oriented IMAP client over a socket (optionally TLS)."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.greeting = None

    @classmethod
    def connect(cls, host, port, tls=False, read_greeting=True, timeout=IO_TIMEOUT):
        sock = socket.create_connection((host, port), timeout=timeout)
        if tls:
            sock = insecure_context().wrap_socket(sock, server_hostname="localhost")
        c = cls(sock)
        if read_greeting:
            c.greeting = c.readline()
        return c

    def settimeout(self, t):
        self.sock.settimeout(t)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionClosed(f"connection closed; pending {self.buf!r}")
        self.buf += chunk

    def readline(self):
        """Returns one response line without CRLF, as str (latin-1)."""
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def read_until_tagged(self, tag):
        """Reads lines up to and including the tagged response for tag.
        Returns (untagged_lines, tagged_line)."""
        lines = []
        while True:
            line = self.readline()
            if line.startswith(tag + " "):
                return lines, line
            lines.append(line)

    def command(self, tag, text):
        self.send(f"{tag} {text}\r\n")
        return self.read_until_tagged(tag)

    def expect_closed(self, timeout=5.0):
        """Asserts the server closes the connection (EOF) within timeout.
        Returns any lines received before the close."""
        self.sock.settimeout(timeout)
        lines = []
        try:
            while True:
                lines.append(self.readline())
        except ConnectionClosed:
            return lines
        except (ConnectionResetError, ssl.SSLError):
            return lines
        except socket.timeout:
            raise AssertionError(f"connection not closed within {timeout}s; got {lines!r}")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.b64encode(data).decode()


def caps_of(line):
    """Capabilities from '* CAPABILITY ...' or a '[CAPABILITY ...]' code."""
    m = re.search(r"\[CAPABILITY ([^\]]*)\]", line)
    if m:
        return m.group(1).split()
    m = re.match(r"\* CAPABILITY (.*)$", line)
    assert m, f"no capabilities in {line!r}"
    return m.group(1).split()


@pytest.fixture
def make_server(tmp_path):
    """Factory: make_server(overrides={section: {key: value}}, ...) -> started Server.
    All servers are stopped at teardown with the exit-0 / no-sanitizer checks."""
    servers = []

    def make(overrides=None, name=None, start=True, **kw):
        s = Server(tmp_path / (name or f"srv{len(servers)}"), overrides, **kw)
        servers.append(s)
        return s.start() if start else s

    yield make
    errors = []
    for s in servers:
        try:
            s.stop_and_check()
        except AssertionError as e:  # stop all before failing
            errors.append(str(e))
    assert not errors, "\n\n".join(errors)


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory):
    """One server for the many tests that do not change its configuration."""
    s = Server(tmp_path_factory.mktemp("shared")).start()
    yield s
    s.stop_and_check()


@pytest.fixture
def server(shared_server):
    assert shared_server.running, "the shared server died:\n" + shared_server.stderr()[-4000:]
    yield shared_server
    assert shared_server.running, "the shared server died:\n" + shared_server.stderr()[-4000:]
    assert_no_sanitizer_report(shared_server.stderr())
