"""A private Postfix relaying real mail to Courriel's LMTP, end to end.

The test starts Courriel with its LMTP listener on a free loopback port, then its
own Postfix instance (Debian's package) with a configuration, queue and data
directory in a temporary directory: smtpd on another free loopback port, the
domain ``localhost`` a virtual mailbox domain whose transport is
``lmtp:inet:127.0.0.1:PORT`` (README, "Delivering mail from the MTA"). Mail is
submitted with smtplib.SMTP to Postfix, which queues it and delivers it over LMTP;
the test then reads it back with imaplib and checks:

* the messages are in INBOX, byte for byte as submitted, below the trace fields
  (``Return-Path`` and ``Delivered-To`` from Courriel, ``Received`` from Postfix);
* one message to two users is delivered to both (one LMTP transaction, one reply
  per recipient);
* ``user+detail@localhost`` lands in the folder ``detail``;
* an unknown recipient is refused by Courriel with 550 5.1.1, and Postfix
  bounces it to the sender (itself a Courriel user, so the bounce is read back);
* Postfix's queue is empty afterwards.

Postfix needs root (its master runs as root, its daemons as the packaged
``postfix`` user and ``postdrop`` group). Without Postfix the test skips, except
under CI=true, where it fails: CI installs it (scripts/install-deps test).
"""

import imaplib
import os
import pwd
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import IO_TIMEOUT, free_port
from msg_imap import new_user

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
POSTQUEUE = shutil.which("postqueue") or "/usr/sbin/postqueue"
DELIVERY_TIMEOUT = 15.0  # Postfix delivers within a second here; this is the failure bound
QUEUES = ("maildrop", "incoming", "active", "deferred", "hold", "corrupt")


def _require_postfix():
    missing = None
    if not os.path.exists(POSTFIX):
        missing = "postfix is not installed (Debian package 'postfix'; scripts/install-deps test)"
    else:
        try:
            pwd.getpwnam("postfix")
        except KeyError:
            missing = "the 'postfix' user does not exist (the Debian package creates it)"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing + " -- required under CI=true")
        pytest.skip(missing)
    if os.geteuid() != 0:
        pytest.skip("a private Postfix instance must be started as root")


class Postfix:
    """One private Postfix instance: its own config_directory, queue_directory
    and data_directory under a temporary directory, smtpd on 127.0.0.1:port."""

    def __init__(self, lmtp_port):
        # Not pytest's tmp_path: its parents are mode 0700 and Postfix's daemons
        # (user postfix) must reach the queue directory.
        self.root = Path(tempfile.mkdtemp(prefix="courriel-postfix-", dir="/tmp"))
        os.chmod(self.root, 0o755)
        self.config_dir = self.root / "etc"
        self.queue_dir = self.root / "spool"
        self.data_dir = self.root / "lib"
        self.maillog = self.root / "maillog"
        for d in (self.config_dir, self.queue_dir, self.data_dir):
            d.mkdir(mode=0o755)
        pw = pwd.getpwnam("postfix")
        os.chown(self.data_dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.data_dir, 0o700)
        self.smtp_port = free_port()
        self.lmtp_port = lmtp_port
        self.started = False
        (self.config_dir / "main.cf").write_text(f"""\
# written by tests/e2e/test_postfix.py
compatibility_level = 3.6
config_directory = {self.config_dir}
queue_directory = {self.queue_dir}
data_directory = {self.data_dir}
mail_owner = postfix
setgid_group = postdrop
maillog_file = {self.maillog}
maillog_file_prefixes = {self.root}
myhostname = mx.courriel.test
mydomain = courriel.test
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
relay_domains =
alias_maps =
alias_database =
biff = no
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
# Courriel's users live in the domain "localhost": a virtual mailbox domain
# whose mail goes over LMTP (as in README.md). No virtual_mailbox_maps: every
# recipient is accepted here and Courriel decides (550 5.1.1 -> bounce).
virtual_mailbox_domains = localhost
virtual_transport = lmtp:inet:127.0.0.1:{lmtp_port}
# Fail fast rather than retry for minutes if something is wrong.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
""")
        services = [
            (f"127.0.0.1:{self.smtp_port}", "inet", "n", "-", "n", "-", "-", "smtpd"),
            ("pickup", "unix", "n", "-", "n", "60", "1", "pickup"),
            ("cleanup", "unix", "n", "-", "n", "-", "0", "cleanup"),
            ("qmgr", "unix", "n", "-", "n", "300", "1", "qmgr"),
            ("rewrite", "unix", "-", "-", "n", "-", "-", "trivial-rewrite"),
            ("bounce", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("defer", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("trace", "unix", "-", "-", "n", "-", "0", "bounce"),
            ("verify", "unix", "-", "-", "n", "-", "1", "verify"),
            ("flush", "unix", "n", "-", "n", "1000?", "0", "flush"),
            ("proxymap", "unix", "-", "-", "n", "-", "-", "proxymap"),
            ("smtp", "unix", "-", "-", "n", "-", "-", "smtp"),
            ("relay", "unix", "-", "-", "n", "-", "-", "smtp"),
            ("showq", "unix", "n", "-", "n", "-", "-", "showq"),
            ("error", "unix", "-", "-", "n", "-", "-", "error"),
            ("retry", "unix", "-", "-", "n", "-", "-", "error"),
            ("discard", "unix", "-", "-", "n", "-", "-", "discard"),
            ("lmtp", "unix", "-", "-", "n", "-", "-", "lmtp"),
            ("anvil", "unix", "-", "-", "n", "-", "1", "anvil"),
            ("scache", "unix", "-", "-", "n", "-", "1", "scache"),
            ("postlog", "unix-dgram", "n", "-", "n", "-", "1", "postlogd"),
        ]
        (self.config_dir / "master.cf").write_text(
            "# written by tests/e2e/test_postfix.py; no chroot\n"
            + "".join(" ".join(s) + "\n" for s in services))

    def _postfix(self, *args, timeout=30):
        return subprocess.run([POSTFIX, "-c", str(self.config_dir), *args], capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def log(self):
        try:
            return self.maillog.read_text(errors="replace")
        except OSError as e:
            return f"(no maillog: {e})"

    def start(self):
        r = self._postfix("start")
        if r.returncode != 0:
            raise AssertionError(f"postfix start failed ({r.returncode}):\n{r.stdout}{r.stderr}\n"
                                 f"maillog:\n{self.log()}")
        self.started = True
        deadline = time.monotonic() + 10
        while True:  # master -w waits for its own start; smtpd is spawned on the first connection
            try:
                with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=IO_TIMEOUT) as s:
                    s.noop()
                return
            except OSError as e:
                if time.monotonic() > deadline:
                    raise AssertionError(f"postfix smtpd not answering on {self.smtp_port}: {e}\n"
                                         f"maillog:\n{self.log()}")
                time.sleep(0.05)

    def stop(self):
        """`postfix stop` (it waits for the master and kills what is left after 5 s)."""
        if not self.started:
            return None
        self.started = False
        r = self._postfix("stop")
        if r.returncode != 0:  # last resort: abort (immediate)
            self._postfix("abort")
        return r

    def queued_files(self):
        out = []
        for q in QUEUES:
            d = self.queue_dir / q
            for dirpath, _, files in os.walk(d):
                out += [os.path.join(dirpath, f) for f in files]
        return out

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def _imap(server, user):
    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=IO_TIMEOUT)
    m.login(user, "secret")
    return m


def _count(server, user, mailbox):
    m = _imap(server, user)
    try:
        typ, data = m.status(f'"{mailbox}"', "(MESSAGES)")
        assert typ == "OK", data
        return int(data[0].split(b"MESSAGES ")[1].rstrip(b")"))
    finally:
        m.logout()


def _messages(server, user, mailbox="INBOX"):
    m = _imap(server, user)
    try:
        typ, data = m.select(f'"{mailbox}"', readonly=True)
        assert typ == "OK", data
        out = []
        for i in range(1, int(data[0]) + 1):
            typ, d = m.fetch(str(i), "(BODY.PEEK[])")
            assert typ == "OK", d
            out.append(d[0][1])
        return out
    finally:
        m.logout()


def _message(sender, to, subject, tag):
    """A complete message (every header Postfix would otherwise add is present),
    8-bit UTF-8, with lines that need dot-stuffing on both hops (SMTP and LMTP)."""
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Date: Tue, 01 Dec 2026 10:00:00 +0100\r\nMessage-ID: <{tag}@example.org>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            f"Hello through Postfix ({tag}).\r\n"
            ".a line starting with a dot\r\n"
            "..two dots\r\n"
            "Été, naïve, 日本語: 8-bit text.\r\n"
            + "".join(f"line {i:03d} " + "x" * 60 + "\r\n" for i in range(200))
            + "-- \r\nthe end\r\n").encode()


def _message_id(msg):
    """The tag of one of our messages (Message-ID <tag@example.org>), else None."""
    head = msg.split(b"\r\n\r\n", 1)[0]
    m = re.search(rb"\r\nMessage-ID: <([a-z]+)@example\.org>\r\n", head + b"\r\n")
    return m.group(1).decode() if m else None


def _wait_for(what, cond, postfix, server, timeout=DELIVERY_TIMEOUT):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = cond()
        if last is True:
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})\n"
                         f"queued files: {postfix.queued_files()}\n"
                         f"postfix maillog:\n{postfix.log()[-6000:]}\n"
                         f"courriel log:\n{server.stderr()[-3000:]}")


def _check_trace(msg, sender, rcpt):
    """Courriel's Return-Path and Delivered-To, then Postfix's Received."""
    head = (f"Return-Path: <{sender}>\r\nDelivered-To: {rcpt}\r\nReceived: from ").encode()
    assert msg.startswith(head), msg[:400]
    assert b"by mx.courriel.test (Postfix) with ESMTP id " in msg[:600], msg[:600]


def test_postfix_delivers_through_lmtp(make_server):
    _require_postfix()
    lmtp_port = free_port()
    server = make_server({"auth": {"create_demo_user": False}},
                         extra_args=["--lmtp", f"127.0.0.1:{lmtp_port}"])
    alice, bob = new_user(server, "pfa"), new_user(server, "pfb")
    r = server.cli("mailbox", "create", bob, "lists")
    assert r.returncode == 0, r.stdout + r.stderr
    postfix = Postfix(lmtp_port)
    try:
        postfix.start()
        a, b = f"{alice}@localhost", f"{bob}@localhost"
        ext = "carol@example.org"
        to_both = _message(ext, f"{a}, {b}", "to both", "both")
        to_bob = _message(ext, b, "to bob", "bob")
        to_lists = _message(ext, f"{bob}+lists@localhost", "to lists", "lists")
        to_nosuch = _message(ext, f"{bob}+nosuch@localhost", "to nosuch", "nosuch")
        to_ghost = _message(a, "ghost@localhost", "to nobody", "ghost")
        with smtplib.SMTP("127.0.0.1", postfix.smtp_port, "client.test", timeout=IO_TIMEOUT) as s:
            assert s.ehlo()[0] == 250
            assert s.has_extn("8bitmime")
            opts = ["BODY=8BITMIME"]
            assert s.sendmail(ext, [a, b], to_both, opts) == {}
            assert s.sendmail(ext, [b], to_bob, opts) == {}
            assert s.sendmail(ext, [f"{bob}+lists@localhost"], to_lists, opts) == {}
            assert s.sendmail(ext, [f"{bob}+nosuch@localhost"], to_nosuch, opts) == {}
            # Postfix accepts it (no recipient maps here); Courriel refuses it at
            # LMTP RCPT with 550 5.1.1, so Postfix bounces it to alice.
            assert s.sendmail(a, ["ghost@localhost"], to_ghost, opts) == {}

        # Six LMTP deliveries: both + bob + lists + nosuch (5 recipients) and the
        # bounce to alice. Postfix logs each; polling its log costs no logins.
        def delivered():
            sent = postfix.log().count("status=sent")
            queued = postfix.queued_files()
            return True if sent >= 6 and not queued else f"{sent} sent, queued: {queued}"

        _wait_for("the deliveries and the bounce", delivered, postfix, server)
        want = {(alice, "INBOX"): 2, (bob, "INBOX"): 3, (bob, "lists"): 1}  # alice: + the bounce
        assert {k: _count(server, *k) for k in want} == want

        # Alice: the message to both, and the bounce for ghost.
        inbox_a = _messages(server, alice)
        (mine,) = [m for m in inbox_a if _message_id(m) == "both"]
        _check_trace(mine, ext, a)
        assert mine.endswith(b"\r\n" + to_both), mine[-300:]
        (bounce,) = [m for m in inbox_a if _message_id(m) != "both"]
        assert bounce.startswith(f"Return-Path: <>\r\nDelivered-To: {a}\r\n".encode()), bounce[:300]
        assert b"MAILER-DAEMON@mx.courriel.test" in bounce
        assert b"ghost@localhost" in bounce
        assert b"550 5.1.1" in bounce, bounce[:3000]
        assert b"Message-ID: <ghost@example.org>" in bounce  # the returned headers

        # Bob: the message to both, his own, and the +nosuch one (no such folder),
        # in whatever order Postfix's parallel deliveries made.
        inbox_b = {_message_id(m): m for m in _messages(server, bob)}
        assert sorted(inbox_b) == ["bob", "both", "nosuch"], list(inbox_b)
        for tag, rcpt, sent in [("both", b, to_both), ("bob", b, to_bob),
                                ("nosuch", f"{bob}+nosuch@localhost", to_nosuch)]:
            _check_trace(inbox_b[tag], ext, rcpt)
            assert inbox_b[tag].endswith(b"\r\n" + sent), inbox_b[tag][-300:]
        (lists,) = _messages(server, bob, "lists")
        _check_trace(lists, ext, f"{bob}+lists@localhost")
        assert lists.endswith(b"\r\n" + to_lists), lists[-300:]

        q = subprocess.run([POSTQUEUE, "-c", str(postfix.config_dir), "-p"], capture_output=True,
                           text=True, timeout=30)
        assert q.returncode == 0 and q.stdout.strip() == "Mail queue is empty", q.stdout + q.stderr
        log = postfix.log()
        assert log.count("status=sent") == 5 + 1, log[-4000:]  # 2 + 1 + 1 + 1, and the bounce
        assert "status=bounced" in log and "550 5.1.1" in log, log[-4000:]
        assert "relay=127.0.0.1[127.0.0.1]:%d" % lmtp_port in log, log[-4000:]
    finally:
        failing = sys.exc_info()[0] is not None
        r = postfix.stop()
        stopped_log = postfix.log()
        postfix.cleanup()
        if failing:  # pytest shows captured output with the failure
            print(f"postfix maillog:\n{stopped_log[-8000:]}")
    assert r is not None and r.returncode == 0, f"postfix stop: {r}\n{stopped_log[-3000:]}"
