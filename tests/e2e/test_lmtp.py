"""LMTP (RFC 2033) and `courriel deliver`: smtplib.LMTP, raw sockets for
pipelining and BDAT (RFC 3030), swaks, a Unix socket listener, per-recipient
replies, subaddresses, the trace fields, IDLE seeing an LMTP delivery at once,
and the local delivery agent's sysexits codes."""

import imaplib
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import COURRIEL_BIN, IO_TIMEOUT, Server, free_port
from msg_imap import new_user


@pytest.fixture(scope="module")
def lmtp_server(tmp_path_factory):
    port = free_port()
    s = Server(tmp_path_factory.mktemp("lmtp"), extra_args=["--lmtp", f"127.0.0.1:{port}"])
    s.lmtp_port = port
    s.start()
    yield s
    s.stop_and_check()


@pytest.fixture
def server(lmtp_server):
    assert lmtp_server.running, lmtp_server.stderr()[-4000:]
    yield lmtp_server
    assert lmtp_server.running, lmtp_server.stderr()[-4000:]


def lmtp(server):
    c = smtplib.LMTP("127.0.0.1", server.lmtp_port, timeout=IO_TIMEOUT)
    code, _ = c.ehlo("mx.test")  # smtplib.LMTP sends LHLO
    assert code == 250
    return c


def imap_login(server, user):
    m = server.imap(starttls=False)
    m.login(user, "secret")
    return m


def messages(server, user, mailbox="INBOX"):
    """Every message of mailbox, as bytes, in UID order."""
    m = imap_login(server, user)
    try:
        typ, data = m.select(f'"{mailbox}"', readonly=True)
        assert typ == "OK", data
        n = int(data[0])
        out = []
        for i in range(1, n + 1):
            typ, d = m.fetch(str(i), "(BODY.PEEK[])")
            assert typ == "OK"
            out.append(d[0][1])
        return out
    finally:
        m.logout()


def message(subject, body="Hello over LMTP.\r\n"):
    return (f"From: alice@example.org\r\nTo: someone@localhost\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '.')}@example.org>\r\n\r\n{body}")


class LmtpRaw:
    """A line client for what smtplib cannot do (BDAT, deliberate pipelining)."""

    def __init__(self, port=None, path=None):
        if path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(IO_TIMEOUT)
            self.sock.connect(path)
        else:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed; pending {self.buf!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def reply(self):
        """One (possibly multi-line) reply: list of lines."""
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return lines

    def close(self):
        self.sock.close()


# --------------------------------------------------------------------------


def test_lhlo_advertises_extensions(server):
    c = LmtpRaw(server.lmtp_port)
    assert c.greeting[0].startswith("220 ")
    c.send("LHLO mx.test\r\n")
    lines = c.reply()
    words = {l[4:].split()[0] for l in lines[1:]}
    assert {"PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE", "CHUNKING"} <= words, lines
    c.send("VRFY bob\r\n")
    assert c.reply()[0].startswith("252 ")
    c.send("NOOP\r\nRSET\r\nQUIT\r\n")
    assert c.reply()[0].startswith("250 2.0.0")
    assert c.reply()[0].startswith("250 2.0.0")
    assert c.reply()[0].startswith("221 ")
    c.close()


def test_one_recipient_with_trace_fields(server):
    user = new_user(server, "lm")
    c = lmtp(server)
    refused = c.sendmail("alice@example.org", [f"{user}@localhost"], message("one recipient"))
    assert refused == {}
    c.quit()
    msgs = messages(server, user)
    assert len(msgs) == 1
    m = msgs[0]
    assert m.startswith(b"Return-Path: <alice@example.org>\r\nDelivered-To: " +
                        f"{user}@localhost".encode() + b"\r\n"), m[:200]
    assert b"Subject: one recipient\r\n" in m
    assert b"Hello over LMTP.\r\n" in m


def test_several_recipients_get_one_reply_each(server):
    a, b = new_user(server, "lm"), new_user(server, "lm")
    c = lmtp(server)
    rcpts = [f"{a}@localhost", "nobody-here@localhost", f"{b}@localhost"]
    refused = c.sendmail("alice@example.org", rcpts, message("several"))
    # The unknown one is refused at RCPT with 550 5.1.1; the others delivered.
    assert list(refused) == ["nobody-here@localhost"]
    assert refused["nobody-here@localhost"][0] == 550
    assert b"5.1.1" in refused["nobody-here@localhost"][1]
    c.quit()
    for u in (a, b):
        msgs = messages(server, u)
        assert len(msgs) == 1
        assert f"Delivered-To: {u}@localhost\r\n".encode() in msgs[0]


def test_per_recipient_replies_after_data_in_order(server):
    a, b = new_user(server, "lm"), new_user(server, "lm")
    c = LmtpRaw(server.lmtp_port)
    # PIPELINING (RFC 2920): the whole envelope in one write, DATA last.
    c.send(f"LHLO mx.test\r\nMAIL FROM:<alice@example.org> BODY=8BITMIME\r\n"
           f"RCPT TO:<{a}@localhost>\r\nRCPT TO:<ghost@localhost>\r\nRCPT TO:<{b}@localhost>\r\nDATA\r\n")
    assert c.reply()[-1].startswith("250 ")
    assert c.reply()[0].startswith("250 2.1.0")
    assert c.reply()[0].startswith("250 2.1.5")
    assert c.reply()[0].startswith("550 5.1.1")
    assert c.reply()[0].startswith("250 2.1.5")
    assert c.reply()[0].startswith("354 ")
    body = ("Subject: pipelined\r\n\r\n..starts with a dot\r\n.\r\n"[:-3]
            + "bare lf line\nlast\r\n.\r\n")
    c.send(body + "QUIT\r\n")
    first, second = c.reply(), c.reply()
    assert first[0].startswith("250 2.0.0") and a in first[0], first
    assert second[0].startswith("250 2.0.0") and b in second[0], second
    assert c.reply()[0].startswith("221 ")
    c.close()
    m = messages(server, a)[0]
    assert b"\r\n.starts with a dot\r\n" in m  # dot-unstuffed
    assert b"bare lf line\r\nlast\r\n" in m    # LF normalised to CRLF
    assert not m.endswith(b".\r\n")


def test_subaddress_to_existing_folder_else_inbox(server):
    user = new_user(server, "lm")
    m = imap_login(server, user)
    assert m.create("lists")[0] == "OK"
    m.logout()
    c = lmtp(server)
    assert c.sendmail("a@example.org", [f"{user}+lists@localhost"], message("to lists")) == {}
    assert c.sendmail("a@example.org", [f"{user}+nosuch@localhost"], message("to inbox")) == {}
    c.quit()
    lists = messages(server, user, "lists")
    assert len(lists) == 1 and b"Subject: to lists" in lists[0]
    assert f"Delivered-To: {user}+lists@localhost".encode() in lists[0]
    inbox = messages(server, user)
    assert len(inbox) == 1 and b"Subject: to inbox" in inbox[0]


def test_two_megabyte_message(server):
    user = new_user(server, "lm")
    line = "x" * 76 + "\r\n"
    body = line * (2 * 1024 * 1024 // len(line))
    c = lmtp(server)
    assert c.sendmail("a@example.org", [f"{user}@localhost"], message("big", body)) == {}
    c.quit()
    m = messages(server, user)[0]
    assert len(m) > 2 * 1024 * 1024 - 100
    assert m.endswith(line.encode())


def test_bdat_chunks(server):
    user = new_user(server, "lm")
    c = LmtpRaw(server.lmtp_port)
    part1 = b"Subject: chunked\r\n\r\nfirst part, a line\r"
    part2 = b"\n.a line starting with a dot, not stuffed\r\nend\r\n"
    c.send(f"LHLO mx.test\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<{user}@localhost>\r\n".encode()
           + f"BDAT {len(part1)}\r\n".encode() + part1
           + f"BDAT {len(part2)} LAST\r\n".encode() + part2 + b"QUIT\r\n")
    c.reply()
    assert c.reply()[0].startswith("250 2.1.0")
    assert c.reply()[0].startswith("250 2.1.5")
    r = c.reply()[0]
    assert r.startswith("250 2.0.0") and str(len(part1)) in r, r
    assert c.reply()[0].startswith("250 2.0.0")  # the one recipient's reply
    assert c.reply()[0].startswith("221 ")
    c.close()
    m = messages(server, user)[0]
    assert m.endswith(part1 + part2)


def test_sequence_and_syntax_errors(server):
    c = LmtpRaw(server.lmtp_port)
    c.send("MAIL FROM:<a@b>\r\n")
    assert c.reply()[0].startswith("503 5.5.1")  # before LHLO
    c.send("LHLO x\r\n")
    c.reply()
    for cmd, want in [("RCPT TO:<x@localhost>", "503 5.5.1"), ("DATA", "503 5.5.1"),
                      ("FOO", "500 5.5.1"), ("EHLO x", "500 5.5.1"),
                      ("MAIL FROM:<a@b> SIZE=999999999999", "552 5.3.4"),
                      ("MAIL FROM:<a@b> XYZ=1", "555 5.5.4"),
                      ("X" * 5000, "500 5.5.2"),
                      ("MAIL FROM:<a@b>", "250 2.1.0"), ("MAIL FROM:<a@b>", "503 5.5.1"),
                      ("DATA", "503 5.5.1"), ("RCPT TO:<>", "501 5.1.3")]:
        c.send(cmd + "\r\n")
        r = c.reply()[0]
        assert r.startswith(want), (cmd[:40], r)
    # BDAT without recipients: its bytes are still read, then refused.
    c.send("BDAT 5 LAST\r\nhelloNOOP\r\n")
    assert c.reply()[0].startswith("503 5.5.1")
    assert c.reply()[0].startswith("250 ")
    c.close()


def test_idle_sees_lmtp_delivery_at_once(server):
    user = new_user(server, "lm")
    raw = server.raw()
    raw.command("a", f"LOGIN {user} secret")
    untagged, tagged = raw.command("b", "SELECT INBOX")
    assert tagged.startswith("b OK")
    raw.send("c IDLE\r\n")
    assert raw.readline().startswith("+")
    start = time.monotonic()
    c = lmtp(server)
    assert c.sendmail("a@example.org", [f"{user}@localhost"], message("idle")) == {}
    c.quit()
    raw.settimeout(5)
    line = raw.readline()
    assert line == "* 1 EXISTS", line
    assert time.monotonic() - start < 5  # the in-process wake, not the 15 s poll
    raw.send("DONE\r\n")
    raw.read_until_tagged("c")
    raw.close()


def deliver(server, args, stdin_text, shell_pipe=True):
    cmd = [COURRIEL_BIN, "deliver", "--config", str(server.config_path), *args]
    if shell_pipe:
        quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in cmd)
        return subprocess.run(f"printf '%s' \"$MSG\" | {quoted}", shell=True, capture_output=True,
                              text=True, env={"MSG": stdin_text, "PATH": "/usr/bin:/bin"}, timeout=30)
    return subprocess.run(cmd, input=stdin_text, capture_output=True, text=True, timeout=30)


def test_deliver_command(server):
    user = new_user(server, "lm")
    r = deliver(server, ["-f", "bounce@example.org", "-a", f"{user}@localhost"],
                "From bounce@example.org Thu Jan  1 00:00:00 2026\n"
                "Subject: piped\n\nbody with LF line ends\n")
    assert r.returncode == 0, r.stderr
    m = messages(server, user)
    assert len(m) == 1
    assert m[0] == (b"Return-Path: <bounce@example.org>\r\nDelivered-To: " + f"{user}@localhost".encode()
                    + b"\r\nSubject: piped\r\n\r\nbody with LF line ends\r\n")
    # A bare user name takes the default domain; the subaddress rules apply too.
    r = deliver(server, ["-f", "", "-a", f"{user}+x"], "Subject: second\n\nx\n")
    assert r.returncode == 0, r.stderr
    assert len(messages(server, user)) == 2
    assert messages(server, user)[1].startswith(b"Return-Path: <>\r\n")


def test_deliver_exit_codes(server):
    r = deliver(server, ["-f", "a@example.org", "-a", "nobody-at-all@localhost"], "Subject: x\n\nx\n")
    assert r.returncode == 67, (r.returncode, r.stderr)  # EX_NOUSER
    assert "nobody-at-all" in r.stderr
    r = deliver(server, ["-f", "a@example.org"], "x\n", shell_pipe=False)
    assert r.returncode == 64, (r.returncode, r.stderr)  # EX_USAGE: -a missing
    r = deliver(server, ["-f", "bad\x01sender", "-a", "x@localhost"], "x\n", shell_pipe=False)
    assert r.returncode == 65, (r.returncode, r.stderr)  # EX_DATAERR
    r = subprocess.run([COURRIEL_BIN, "deliver", "--config", "/nonexistent.toml", "-a", "x"],
                       input="x\n", capture_output=True, text=True, timeout=30)
    assert r.returncode == 78, (r.returncode, r.stderr)  # EX_CONFIG


def test_deliver_while_idle_sees_it_at_poll(server):
    """`courriel deliver` is another process: a server session sees its mail
    at its next NOOP (IDLE would see it at its next poll)."""
    user = new_user(server, "lm")
    raw = server.raw()
    raw.command("a", f"LOGIN {user} secret")
    raw.command("b", "SELECT INBOX")
    r = deliver(server, ["-f", "a@example.org", "-a", user], "Subject: cross-process\n\nx\n")
    assert r.returncode == 0, r.stderr
    untagged, tagged = raw.command("c", "NOOP")
    assert "* 1 EXISTS" in untagged, untagged
    raw.close()


def test_size_limit(make_server):
    port = free_port()
    s = make_server({"lmtp": {"max_message_size": 4096}}, extra_args=["--lmtp", f"127.0.0.1:{port}"])
    s.lmtp_port = port
    user = new_user(s, "lm")
    c = lmtp(s)
    # smtplib announces SIZE (RFC 1870): refused at MAIL.
    with pytest.raises(smtplib.SMTPSenderRefused) as e:
        c.sendmail("a@example.org", [f"{user}@localhost"], message("too big", "y" * 10000 + "\r\n"))
    assert e.value.smtp_code == 552
    # Without SIZE: the data is read to its end, then refused per recipient.
    raw = LmtpRaw(port)
    raw.send(f"LHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<{user}@localhost>\r\n"
             f"RCPT TO:<{user}+x@localhost>\r\nDATA\r\n")
    for _ in range(4):
        raw.reply()
    assert raw.reply()[0].startswith("354")
    raw.send(message("too big", ("y" * 70 + "\r\n") * 200) + ".\r\nNOOP\r\n")
    assert raw.reply()[0].startswith("552 5.3.4")
    assert raw.reply()[0].startswith("552 5.3.4")
    assert raw.reply()[0].startswith("250 ")  # the session goes on
    raw.close()
    c.rset()
    assert c.sendmail("a@example.org", [f"{user}@localhost"], message("small")) == {}
    c.quit()
    msgs = messages(s, user)
    assert len(msgs) == 1 and b"Subject: small" in msgs[0]


def test_lmtp_over_unix_socket(make_server):
    d = tempfile.mkdtemp(prefix="courriel-lmtp-")
    path = str(Path(d) / "lmtp.sock")
    try:
        s = make_server(extra_args=["--lmtp", f"unix:{path}"])
        assert f"lmtp=unix:{path}" in s.stderr_since_start()
        user = new_user(s, "lm")
        c = smtplib.LMTP(path, timeout=IO_TIMEOUT)  # smtplib.LMTP: a path means AF_UNIX
        c.ehlo("mx.test")
        assert c.sendmail("a@example.org", [f"{user}@localhost"], message("over unix")) == {}
        c.quit()
        raw = LmtpRaw(path=path)
        assert raw.greeting[0].startswith("220 ")
        raw.close()
        msgs = messages(s, user)
        assert len(msgs) == 1 and b"Subject: over unix" in msgs[0]
        s.stop_and_check()
        assert not Path(path).exists()  # removed at exit
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks not installed")
def test_swaks_lmtp(server):
    user = new_user(server, "lm")
    r = subprocess.run(["swaks", "--protocol", "LMTP", "--server", "127.0.0.1", "--port",
                        str(server.lmtp_port), "--from", "swaks@example.org",
                        "--to", f"{user}@localhost", "--header", "Subject: via swaks",
                        "--body", "Sent by swaks.", "--pipeline"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    msgs = messages(server, user)
    assert len(msgs) == 1
    assert b"Subject: via swaks" in msgs[0]
    assert msgs[0].startswith(b"Return-Path: <swaks@example.org>\r\n")
