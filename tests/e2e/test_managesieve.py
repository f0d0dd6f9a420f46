"""ManageSieve (RFC 5804) with a raw socket client: the capability greeting,
STARTTLS, AUTHENTICATE PLAIN and SCRAM-SHA-256, the script commands and their
response codes, and the `courriel sieve` admin commands on the same store."""

import base64
import re
import shutil
import socket
import ssl
import subprocess

import pytest

from conftest import IO_TIMEOUT, Server, insecure_context
from msg_imap import new_user
from scram import ScramClient


@pytest.fixture(scope="module")
def sieve_server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("msieve"))
    if s.sieve_port is None:
        pytest.skip("this courriel binary has no ManageSieve")
    s.start()
    yield s
    s.stop_and_check()


@pytest.fixture
def server(sieve_server):
    assert sieve_server.running, sieve_server.stderr()[-4000:]
    yield sieve_server
    assert sieve_server.running, sieve_server.stderr()[-4000:]


class Sieve:
    """A minimal ManageSieve client: responses are read up to OK/NO/BYE."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        self.buf = b""
        self.caps, self.greeting = self.response()

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed; pending {self.buf!r}")
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        # A literal {n} at the end of the line: its bytes follow.
        m = re.search(rb"\{(\d+)\}$", line)
        if m:
            n = int(m.group(1))
            while len(self.buf) < n:
                self._fill()
            line = line[: m.start()] + b"\x00LITERAL" + self.buf[:n]
            self.buf = self.buf[n:]
            rest = self.line()
            line += rest
        return line

    def response(self):
        """Returns (lines before the final one, final line) as bytes."""
        lines = []
        while True:
            l = self.line()
            if re.match(rb"(OK|NO|BYE)\b", l):
                return lines, l
            lines.append(l)

    def command(self, text):
        self.send(text + "\r\n")
        return self.response()

    def starttls(self):
        _, final = self.command("STARTTLS")
        assert final.startswith(b"OK"), final
        self.sock = insecure_context().wrap_socket(self.sock, server_hostname="localhost")
        self.caps, final = self.response()
        assert final.startswith(b"OK"), final

    def plain(self, user, password="secret"):
        msg = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        return self.command(f'AUTHENTICATE "PLAIN" "{msg}"')[1]

    def close(self):
        self.sock.close()


def capmap(lines):
    out = {}
    for l in lines:
        parts = re.findall(rb'"((?:[^"\\]|\\.)*)"', l)
        out[parts[0].decode()] = parts[1].decode() if len(parts) > 1 else ""
    return out


def put(c, name, script):
    data = script.encode()
    return c.command(f'PUTSCRIPT "{name}" {{{len(data)}+}}\r\n' + script)[1]


@pytest.fixture
def client(server):
    user = new_user(server, prefix="sv")
    c = Sieve(server.sieve_port)
    assert c.plain(user).startswith(b"OK"), "login failed"
    c.user = user
    yield c
    c.close()


def test_greeting_capabilities(server):
    c = Sieve(server.sieve_port)
    caps = capmap(c.caps)
    assert caps["IMPLEMENTATION"] == "Courriel"
    assert caps["VERSION"] == "1.0"
    assert "PLAIN" in caps["SASL"].split() and "SCRAM-SHA-256" in caps["SASL"].split()
    assert "fileinto" in caps["SIEVE"].split()
    assert "STARTTLS" in caps
    assert c.greeting.startswith(b"OK")
    lines, final = c.command("CAPABILITY")
    assert final.startswith(b"OK") and capmap(lines)["VERSION"] == "1.0"
    assert c.command("LOGOUT")[1].startswith(b"OK")
    c.close()


def test_starttls_then_capabilities_and_login(server):
    user = new_user(server, prefix="svt")
    c = Sieve(server.sieve_port)
    c.starttls()
    caps = capmap(c.caps)
    assert "STARTTLS" not in caps and caps["VERSION"] == "1.0"
    assert c.plain(user).startswith(b"OK")
    assert c.command("LISTSCRIPTS")[1].startswith(b"OK")
    c.close()


def test_authenticate_failures_and_state(server):
    user = new_user(server, prefix="svf")
    c = Sieve(server.sieve_port)
    assert c.command('LISTSCRIPTS')[1].startswith(b"NO")
    assert c.plain(user, "wrong").startswith(b"NO")
    # PLAIN through a continuation: the server sends an empty challenge.
    c.send('AUTHENTICATE "PLAIN"\r\n')
    assert c.line() == b'""'
    msg = base64.b64encode(f"\0{user}\0secret".encode()).decode()
    assert c.command(f'"{msg}"')[1].startswith(b"OK")
    assert c.command("UNAUTHENTICATE")[1].startswith(b"OK")
    assert c.command("LISTSCRIPTS")[1].startswith(b"NO")
    c.close()


def test_authenticate_scram(server):
    user = new_user(server, prefix="svs")
    c = Sieve(server.sieve_port)
    sc = ScramClient(user, "secret")
    c.send(f'AUTHENTICATE "SCRAM-SHA-256" "{base64.b64encode(sc.first()).decode()}"\r\n')
    challenge = c.line()
    server_first = base64.b64decode(challenge.strip(b'"'))
    final = c.command('"' + base64.b64encode(sc.final(server_first)).decode() + '"')[1]
    m = re.match(rb'OK \(SASL "([^"]+)"\)', final)
    assert m, final
    assert sc.verify(base64.b64decode(m.group(1)))
    assert c.command("LISTSCRIPTS")[1].startswith(b"OK")
    c.close()


def test_scripts_round_trip(client):
    script = 'require ["fileinto"];\r\nif header :contains "subject" "x" {\r\n  fileinto "X";\r\n}\r\n'
    assert put(client, "main", script).startswith(b"OK")
    assert put(client, "other", "keep;\r\n").startswith(b"OK")
    lines, final = client.command("LISTSCRIPTS")
    assert final.startswith(b"OK")
    assert sorted(lines) == [b'"main"', b'"other"']
    assert client.command('SETACTIVE "main"')[1].startswith(b"OK")
    lines, _ = client.command("LISTSCRIPTS")
    assert b'"main" ACTIVE' in lines
    lines, final = client.command('GETSCRIPT "main"')
    assert final.startswith(b"OK")
    assert lines == [b"\x00LITERAL" + script.encode()]
    # The active script cannot be deleted (RFC 5804 §2.10).
    final = client.command('DELETESCRIPT "main"')[1]
    assert final.startswith(b"NO (ACTIVE)"), final
    assert client.command('RENAMESCRIPT "main" "other"')[1].startswith(b"NO (ALREADYEXISTS)")
    assert client.command('RENAMESCRIPT "main" "renamed"')[1].startswith(b"OK")
    lines, _ = client.command("LISTSCRIPTS")
    assert b'"renamed" ACTIVE' in lines
    assert client.command('GETSCRIPT "main"')[1].startswith(b"NO (NONEXISTENT)")
    assert client.command('DELETESCRIPT "other"')[1].startswith(b"OK")
    assert client.command('SETACTIVE ""')[1].startswith(b"OK")
    assert client.command('DELETESCRIPT "renamed"')[1].startswith(b"OK")
    assert client.command("LISTSCRIPTS")[0] == []


def test_invalid_script_reports_the_line(client):
    final = put(client, "bad", "keep;\r\nfrobnicate;\r\n")
    assert re.match(rb'NO "line 2: ', final), final
    final = client.command('CHECKSCRIPT {13+}\r\nkeep;\r\nstop;')[1]
    assert final.startswith(b"OK"), final
    final = client.command('CHECKSCRIPT "if true {"')[1]
    assert re.match(rb'NO "line 1: ', final), final
    assert client.command("LISTSCRIPTS")[0] == []


def test_havespace_and_noop(client):
    assert client.command('HAVESPACE "x" 100')[1].startswith(b"OK")
    final = client.command('HAVESPACE "x" 999999999')[1]
    assert final.startswith(b"NO (QUOTA/MAXSIZE)"), final
    assert client.command('NOOP "abc"')[1] == b'OK (TAG "abc") "Done"'
    assert client.command("FROB")[1].startswith(b"NO")
    assert client.command('PUTSCRIPT "a/b" "keep;"')[1].startswith(b"NO")
    assert client.command("LOGOUT")[1].startswith(b"OK")


def test_cli_put_list_activate(server, tmp_path):
    user = new_user(server, prefix="svc")
    good = tmp_path / "good.sieve"
    good.write_text('require "fileinto";\nfileinto "Lists";\n')
    bad = tmp_path / "bad.sieve"
    bad.write_text("keep;\n\nredirect;\n")
    r = server.cli("sieve", "put", user, "lists", str(good))
    assert r.returncode == 0, r.stderr
    r = server.cli("sieve", "put", user, "bad", str(bad))
    assert r.returncode == 65 and "line 3:" in r.stderr, r.stderr
    r = server.cli("sieve", "activate", user, "lists")
    assert r.returncode == 0, r.stderr
    r = server.cli("sieve", "list", user)
    assert r.stdout == "lists\tACTIVE\n"
    r = server.cli("sieve", "activate", user, "nope")
    assert r.returncode == 1
    # The server sees what the CLI stored.
    c = Sieve(server.sieve_port)
    assert c.plain(user).startswith(b"OK")
    assert c.command("LISTSCRIPTS")[0] == [b'"lists" ACTIVE']
    c.close()
    r = server.cli("sieve", "activate", user, "--none")
    assert r.returncode == 0, r.stderr
    assert server.cli("sieve", "list", user).stdout == "lists\n"
    assert server.cli("sieve", "list", "nosuchuser").returncode == 67


def test_scram_with_continuation_and_abort(server):
    user = new_user(server, prefix="svx")
    c = Sieve(server.sieve_port)
    c.send('AUTHENTICATE "SCRAM-SHA-256"\r\n')
    assert c.line() == b'""'
    assert c.command('"*"')[1].startswith(b"NO")
    sc = ScramClient(user, "secret")
    c.send('AUTHENTICATE "SCRAM-SHA-256"\r\n')
    assert c.line() == b'""'
    data = base64.b64encode(sc.first())
    c.send(b"{%d+}\r\n" % len(data) + data + b"\r\n")
    server_first = base64.b64decode(c.line().strip(b'"'))
    final = c.command('"' + base64.b64encode(sc.final(server_first)).decode() + '"')[1]
    assert final.startswith(b'OK (SASL "'), final
    assert c.command("LISTSCRIPTS")[1].startswith(b"OK")
    c.close()


def test_literal_over_the_limit_is_refused(server):
    user = new_user(server, prefix="svl")
    c = Sieve(server.sieve_port)
    assert c.plain(user).startswith(b"OK")
    size = (1 << 20) + 1
    c.send(f'PUTSCRIPT "big" {{{size}+}}\r\n'.encode() + b"#" * size + b"\r\n")
    _, final = c.response()
    assert final.startswith(b"NO (QUOTA/MAXSIZE)"), final
    # The connection is in step again.
    assert c.command("LISTSCRIPTS") == ([], b'OK "Listscripts completed."')
    c.close()


@pytest.mark.skipif(shutil.which("sieve-connect") is None, reason="sieve-connect not installed")
def test_sieve_connect_client(server, tmp_path):
    """Debian's sieve-connect: STARTTLS, AUTHENTICATE, upload, activate, list, download."""
    user = new_user(server, prefix="svp")
    local = tmp_path / "in.sieve"
    local.write_text('require "fileinto";\r\nfileinto "Junk";\r\n')
    pw = tmp_path / "pw"
    pw.write_text("secret\n")

    def run(*args):
        with open(pw) as f:
            return subprocess.run(
                ["sieve-connect", "-s", "127.0.0.1", "-p", str(server.sieve_port), "-u", user,
                 "--passwordfd", str(f.fileno()), "--notlsverify", *args],
                pass_fds=(f.fileno(),), capture_output=True, text=True, timeout=30)

    r = run("--upload", "--localsieve", str(local), "--remotesieve", "junk")
    assert r.returncode == 0, r.stderr
    r = run("--activate", "--remotesieve", "junk")
    assert r.returncode == 0, r.stderr
    r = run("--list")
    assert r.returncode == 0 and '"junk" ACTIVE' in r.stdout, r.stdout + r.stderr
    out = tmp_path / "out.sieve"
    r = run("--download", "--remotesieve", "junk", "--localsieve", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == local.read_bytes()
