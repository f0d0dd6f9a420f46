"""Sieve at delivery (RFC 5228 and extensions), outgoing mail and quotas on
the LMTP path: scripts uploaded by ManageSieve (PUTSCRIPT + SETACTIVE after
AUTHENTICATE PLAIN), mail delivered with smtplib.LMTP, a raw LMTP client and
`courriel deliver`, results read back with imaplib.  Redirects and vacation
replies go to a small SMTP sink this file runs on 127.0.0.1 (the configured
`[delivery] smtp_relay`)."""

import imaplib
import re
import smtplib
import socket
import threading

import pytest

from conftest import IO_TIMEOUT, Server, free_port
from msg_imap import new_user
from test_lmtp import LmtpRaw, deliver, imap_login, lmtp, messages
from test_managesieve import Sieve, put


class SmtpSink:
    """An SMTP server on 127.0.0.1 that accepts everything and keeps each
    message as {"from": reverse-path, "to": [recipients], "data": bytes}."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.messages = []
        self.cond = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        conn.settimeout(IO_TIMEOUT)
        f = conn.makefile("rb")

        def say(text):
            conn.sendall(text.encode() + b"\r\n")

        say("220 sink.test ESMTP")
        sender, rcpts = None, []
        try:
            while True:
                line = f.readline()
                if not line:
                    break
                cmd = line.rstrip(b"\r\n").decode("latin-1")
                verb = cmd[:4].upper()
                if verb == "EHLO":
                    say("250-sink.test\r\n250-8BITMIME\r\n250 PIPELINING")
                elif verb == "MAIL":
                    sender, rcpts = re.search(r"<(.*?)>", cmd).group(1), []
                    say("250 2.1.0 Ok")
                elif verb == "RCPT":
                    rcpts.append(re.search(r"<(.*?)>", cmd).group(1))
                    say("250 2.1.5 Ok")
                elif verb == "DATA":
                    say("354 End data with <CR><LF>.<CR><LF>")
                    data = b""
                    while True:
                        l = f.readline()
                        if l in (b".\r\n", b""):
                            break
                        data += l[1:] if l.startswith(b".") else l  # RFC 5321 §4.5.2
                    with self.cond:
                        self.messages.append({"from": sender, "to": rcpts, "data": data})
                        self.cond.notify_all()
                    say("250 2.0.0 Ok: queued")
                elif verb == "QUIT":
                    say("221 2.0.0 Bye")
                    break
                else:
                    say("250 2.0.0 Ok")
        except OSError:
            pass
        finally:
            conn.close()

    def to(self, address):
        """The messages received for address so far."""
        with self.cond:
            return [m for m in self.messages if address in m["to"]]

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def sink():
    s = SmtpSink()
    yield s
    s.close()


def lmtp_overrides(sink_port=None, **lmtp_keys):
    """(port, config overrides): LMTP on a free port, the relay at sink_port."""
    port = free_port()
    overrides = {"lmtp": {"listen": f"127.0.0.1:{port}", **lmtp_keys}}
    if sink_port is not None:
        overrides["delivery"] = {"smtp_relay": f"127.0.0.1:{sink_port}"}
    return port, overrides


@pytest.fixture(scope="module")
def sieve_server(tmp_path_factory, sink):
    port, overrides = lmtp_overrides(sink.port)
    s = Server(tmp_path_factory.mktemp("sieve-delivery"), overrides)
    if s.sieve_port is None:
        pytest.skip("this courriel binary has no ManageSieve")
    s.lmtp_port = port
    s.start()
    yield s
    s.stop_and_check()


@pytest.fixture
def server(sieve_server):
    assert sieve_server.running, sieve_server.stderr()[-4000:]
    yield sieve_server
    assert sieve_server.running, sieve_server.stderr()[-4000:]


def activate(server, user, script):
    """Uploads script by ManageSieve and makes it the active one."""
    c = Sieve(server.sieve_port)
    try:
        assert c.plain(user).startswith(b"OK"), "ManageSieve login failed"
        final = put(c, "main", script)
        assert final.startswith(b"OK"), final
        assert c.command('SETACTIVE "main"')[1].startswith(b"OK")
        c.command("LOGOUT")
    finally:
        c.close()


def mail(user, subject, sender="alice@example.org", extra="", body="Hello.\r\n"):
    return (f"From: {sender}\r\nTo: {user}@localhost\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '.')}.{user}@example.org>\r\n{extra}\r\n{body}")


def send(server, user, msg, sender="alice@example.org"):
    c = lmtp(server)
    try:
        return c.sendmail(sender, [f"{user}@localhost"], msg)
    finally:
        c.quit()


def flags_and_subjects(server, user, mailbox):
    """[(flags, subject)] of every message in mailbox."""
    m = imap_login(server, user)
    try:
        typ, data = m.select(f'"{mailbox}"', readonly=True)
        assert typ == "OK", data
        if int(data[0]) == 0:
            return []
        typ, data = m.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK", data
        out = []
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = [f for f in imaplib.ParseFlags(item[0]) if f != b"\\Recent"]
            subject = item[1].decode().strip().removeprefix("Subject: ")
            out.append((set(f.decode() for f in flags), subject))
        return out
    finally:
        m.logout()


def subjects(server, user, mailbox="INBOX"):
    return [s for _, s in flags_and_subjects(server, user, mailbox)]


# --------------------------------------------------------------------------


FILING = r"""require ["fileinto", "mailbox", "imap4flags"];
if header :contains "Subject" "trier" { fileinto "demotri"; stop; }
if size :over 500K { fileinto :create "Lire_plus_tard"; stop; }
if header :contains "Subject" "urgent" { addflag "\\Flagged"; addflag "$Urgent"; }
if header :contains "Subject" "nowhere" { fileinto "Nosuch"; }
"""


def test_fileinto_size_and_flags(server):
    user = new_user(server, "sd")
    assert server.cli("mailbox", "create", user, "demotri").returncode == 0
    activate(server, user, FILING)
    assert send(server, user, mail(user, "a trier")) == {}
    assert send(server, user, mail(user, "big", body="x" * 76 + "\r\n")) == {}
    big_body = ("y" * 98 + "\r\n") * 6000  # 600 000 bytes
    assert send(server, user, mail(user, "very big", body=big_body)) == {}
    assert send(server, user, mail(user, "urgent matter")) == {}
    assert send(server, user, mail(user, "to nowhere")) == {}  # no :create: INBOX
    assert subjects(server, user, "demotri") == ["a trier"]
    assert subjects(server, user, "Lire_plus_tard") == ["very big"]
    inbox = flags_and_subjects(server, user, "INBOX")
    assert [s for _, s in inbox] == ["big", "urgent matter", "to nowhere"]
    assert inbox[1][0] == {"\\Flagged", "$Urgent"}, inbox
    assert "\\Flagged" not in inbox[0][0]
    # The stored copy is the message as sent, with the trace fields.
    m = messages(server, user, "Lire_plus_tard")[0]
    assert m.startswith(b"Return-Path: <alice@example.org>\r\nDelivered-To: ")
    assert m.endswith(big_body.encode())


def test_reject_refuses_only_that_recipient(server):
    picky, other = new_user(server, "sd"), new_user(server, "sd")
    activate(server, picky, 'require "reject";\nif header :contains "Subject" "spam" '
                            '{ reject "No spam here, thank you."; }\n')
    c = LmtpRaw(server.lmtp_port)
    c.send(f"LHLO mx.test\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<{picky}@localhost>\r\n"
           f"RCPT TO:<{other}@localhost>\r\nDATA\r\n")
    for _ in range(4):
        c.reply()
    assert c.reply()[0].startswith("354")
    c.send(mail(picky, "spam offer") + ".\r\nQUIT\r\n")
    first, second = c.reply(), c.reply()
    assert first[0].startswith("550 5.7.1 ") and picky in first[0], first
    assert "No spam here, thank you." in first[0]
    assert second[0].startswith("250 2.0.0") and other in second[0], second
    c.close()
    assert subjects(server, picky) == []
    assert subjects(server, other) == ["spam offer"]
    # smtplib, one recipient: the refusal after DATA.
    with pytest.raises(smtplib.SMTPDataError) as e:
        send(server, picky, mail(picky, "more spam"))
    assert e.value.smtp_code == 550
    # `courriel deliver`: EX_NOPERM with the reason on stderr.
    r = deliver(server, ["-f", "alice@example.org", "-a", f"{picky}@localhost"],
                "Subject: spam again\n\nx\n")
    assert r.returncode == 77, (r.returncode, r.stderr)
    assert "No spam here" in r.stderr
    assert send(server, picky, mail(picky, "not that")) == {}
    assert subjects(server, picky) == ["not that"]


def test_discard(server):
    user = new_user(server, "sd")
    activate(server, user, 'if header :contains "Subject" "junk" { discard; }\n')
    assert send(server, user, mail(user, "junk mail")) == {}
    assert send(server, user, mail(user, "real mail")) == {}
    assert subjects(server, user) == ["real mail"]


def test_runtime_error_keeps_in_inbox(server):
    user = new_user(server, "sd")
    # Valid, but fails when run: the mailbox name built from a variable is empty.
    activate(server, user, 'require ["fileinto", "variables"];\nset "box" "";\nfileinto "${box}";\n')
    assert send(server, user, mail(user, "still here")) == {}
    assert subjects(server, user) == ["still here"]
    assert "sieve run-time error" in server.stderr()


def test_redirect_goes_to_the_relay(server, sink):
    user = new_user(server, "sd")
    target = f"fwd-{user}@example.com"
    activate(server, user, f'redirect "{target}";\n')
    msg = mail(user, "forward me", body=".leading dot\r\nbody\r\n")
    assert send(server, user, msg, sender="bob@example.net") == {}
    got = sink.to(target)
    assert len(got) == 1
    assert got[0]["from"] == "bob@example.net"  # RFC 5228 §4.2: the original sender
    assert got[0]["data"] == f"Delivered-To: {user}@localhost\r\n".encode() + msg.encode()
    assert subjects(server, user) == []  # redirect cancels the implicit keep

    copy_target = f"copy-{user}@example.com"
    activate(server, user, f'require "copy";\nredirect :copy "{copy_target}";\n')
    assert send(server, user, mail(user, "copied")) == {}
    assert len(sink.to(copy_target)) == 1
    assert subjects(server, user) == ["copied"]


def test_vacation_once_and_never_to_lists_or_bounces(server, sink):
    user = new_user(server, "sd")
    activate(server, user, 'require "vacation";\n'
                           'vacation :days 7 :subject "Away" "I am away until Monday.";\n')
    sender = f"friend-{user}@example.org"
    assert send(server, user, mail(user, "hello", sender=sender), sender=sender) == {}
    replies = sink.to(sender)
    assert len(replies) == 1
    r = replies[0]
    assert r["from"] == ""  # RFC 5230 §5.1: the null reverse-path
    assert b"\r\nAuto-Submitted: auto-replied" in r["data"]
    assert b"\r\nSubject: Away\r\n" in r["data"]
    assert f"In-Reply-To: <hello.{user}@example.org>".encode() in r["data"]
    assert b"I am away until Monday." in r["data"]
    # Within :days: not again.
    assert send(server, user, mail(user, "hello again", sender=sender), sender=sender) == {}
    assert len(sink.to(sender)) == 1
    # Never to a list, nor to the null sender.
    lister = f"list-{user}@example.org"
    assert send(server, user, mail(user, "list post", sender=lister, extra="List-Id: <l.example.org>\r\n"),
                sender=lister) == {}
    assert sink.to(lister) == []
    n = len(sink.messages)
    assert send(server, user, mail(user, "a bounce", sender="mailer-daemon@example.org"), sender="") == {}
    assert len(sink.messages) == n
    # Every message was kept.
    assert subjects(server, user) == ["hello", "hello again", "list post", "a bounce"]
    # `courriel deliver` shares the :days memory.
    r = deliver(server, ["-f", sender, "-a", f"{user}@localhost"],
                f"From: {sender}\nTo: {user}@localhost\nSubject: piped\n\nx\n")
    assert r.returncode == 0, r.stderr
    assert len(sink.to(sender)) == 1


def test_relay_down_or_off_keeps_and_skips_vacation(make_server):
    dead = free_port()  # nothing listens there
    for relay in (dead, None):
        port, overrides = lmtp_overrides(relay)
        s = make_server(overrides)
        if s.sieve_port is None:
            pytest.skip("this courriel binary has no ManageSieve")
        s.lmtp_port = port
        user = new_user(s, "sd")
        activate(s, user, 'require "vacation";\nredirect "elsewhere@example.com";\n'
                          'vacation "away";\n')
        assert send(s, user, mail(user, "not lost")) == {}
        assert subjects(s, user) == ["not lost"]
        log = s.stderr()
        if relay:
            assert "redirect failed, kept" in log and "vacation reply not sent" in log, log[-2000:]
        else:
            assert "no smtp_relay configured" in log, log[-2000:]


def quota_full(server, user):
    """Fills user's quota: one message stored, then a limit of one message."""
    assert send(server, user, mail(user, "first")) == {}
    r = server.cli("quota", "set", user, "--messages", "1")
    assert r.returncode == 0, r.stderr
    return messages(server, user)


def test_quota_lmtp_452_and_deliver_75(server):
    user = new_user(server, "sd")
    before = quota_full(server, user)
    with pytest.raises(smtplib.SMTPDataError) as e:
        send(server, user, mail(user, "one too many"))
    assert e.value.smtp_code == 452 and b"4.2.2" in e.value.smtp_error, e.value
    r = deliver(server, ["-f", "alice@example.org", "-a", f"{user}@localhost"], "Subject: piped\n\nx\n")
    assert r.returncode == 75, (r.returncode, r.stderr)  # EX_TEMPFAIL: the MTA retries
    # A Sieve fileinto over quota fails the same way.
    activate(server, user, 'require ["fileinto", "mailbox"];\nfileinto :create "Other";\n')
    with pytest.raises(smtplib.SMTPDataError) as e:
        send(server, user, mail(user, "filed"))
    assert e.value.smtp_code == 452
    assert messages(server, user) == before  # what was stored is intact


def test_quota_permanent_552_and_deliver_73(make_server):
    port, overrides = lmtp_overrides(None, quota_full_permanent=True)
    s = make_server(overrides)
    s.lmtp_port = port
    user = new_user(s, "sd")
    before = quota_full(s, user)
    with pytest.raises(smtplib.SMTPDataError) as e:
        send(s, user, mail(user, "one too many"))
    assert e.value.smtp_code == 552 and b"5.2.2" in e.value.smtp_error, e.value
    r = deliver(s, ["-f", "alice@example.org", "-a", f"{user}@localhost"], "Subject: piped\n\nx\n")
    assert r.returncode == 73, (r.returncode, r.stderr)  # EX_CANTCREAT: the MTA bounces
    assert messages(s, user) == before
