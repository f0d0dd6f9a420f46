"""Quota (RFC 9208): GETQUOTAROOT/GETQUOTA answers, APPEND and COPY refused
over a limit with NO [OVERQUOTA], EXPUNGE freeing space, and `courriel quota
get|set` working on a running server, taking effect at once.

One quota root "" per account; STORAGE in units of 1024 octets (usage rounded
up, limit rounded down); resources without a limit are left out."""

import re

import pytest

from conftest import caps_of
from msg_imap import new_user


def message(size):
    """A message of exactly size bytes (CRLF line ends)."""
    head = b"Subject: quota test\r\n\r\n"
    body_len = size - len(head) - 2
    assert body_len >= 0
    return head + b"a" * body_len + b"\r\n"


@pytest.fixture
def user(server):
    return new_user(server, prefix="quota")


@pytest.fixture
def c(server, user):
    client = server.raw()
    _, tagged = client.command("l", f"LOGIN {user} secret")
    assert tagged.startswith("l OK"), tagged
    yield client
    client.close()


def append(c, tag, mailbox, data):
    c.send(f"{tag} APPEND {mailbox} {{{len(data)}+}}\r\n".encode() + data + b"\r\n")
    return c.read_until_tagged(tag)


def set_quota(server, user, *args):
    r = server.cli("quota", "set", user, *args)
    assert r.returncode == 0, r.stderr


def test_capabilities(c):
    untagged, tagged = c.command("c", "CAPABILITY")
    assert tagged.startswith("c OK"), tagged
    caps = caps_of(untagged[0])
    for cap in ("QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"):
        assert cap in caps, caps
    assert "QUOTASET" not in caps  # no IMAP administrators: SETQUOTA is refused


def test_no_limits(c):
    untagged, tagged = c.command("a", "GETQUOTAROOT INBOX")
    assert tagged.startswith("a OK"), tagged
    assert untagged == ['* QUOTAROOT INBOX ""', '* QUOTA "" ()']
    untagged, tagged = c.command("b", 'GETQUOTA ""')
    assert tagged.startswith("b OK"), tagged
    assert untagged == ['* QUOTA "" ()']


def test_errors(c):
    _, tagged = c.command("a", 'GETQUOTA "user.other"')
    assert tagged.startswith("a NO [NONEXISTENT]"), tagged
    _, tagged = c.command("b", "GETQUOTAROOT NoSuchMailbox")
    assert tagged.startswith("b NO [NONEXISTENT]"), tagged
    _, tagged = c.command("c", 'SETQUOTA "" (STORAGE 100)')
    assert tagged.startswith("c NO [NOPERM]"), tagged
    _, tagged = c.command("d", "GETQUOTA")
    assert tagged.startswith("d BAD"), tagged


def test_limits_usage_and_overquota(server, user, c):
    set_quota(server, user, "--storage", "4096", "--messages", "10")
    _, tagged = append(c, "a1", "INBOX", message(1000))
    assert tagged.startswith("a1 OK"), tagged
    untagged, tagged = c.command("g", "GETQUOTAROOT Sent")
    assert tagged.startswith("g OK"), tagged
    assert untagged == ['* QUOTAROOT Sent ""', '* QUOTA "" (STORAGE 1 4 MESSAGE 1 10)']

    # 1000 + 3500 > 4096: refused; 1000 + 3000 fits.
    _, tagged = append(c, "a2", "INBOX", message(3500))
    assert tagged.startswith("a2 NO [OVERQUOTA]"), tagged
    _, tagged = append(c, "a3", "INBOX", message(3000))
    assert tagged.startswith("a3 OK"), tagged
    untagged, _ = c.command("g2", 'GETQUOTA ""')
    assert untagged == ['* QUOTA "" (STORAGE 4 4 MESSAGE 2 10)']

    # COPY of the 3000-byte message would go over; MOVE is allowed.
    _, tagged = c.command("s", "SELECT INBOX")
    assert tagged.startswith("s OK"), tagged
    _, tagged = c.command("cp", "UID COPY 2 Archive")
    assert tagged.startswith("cp NO [OVERQUOTA]"), tagged
    _, tagged = c.command("mv", "UID MOVE 2 Archive")
    assert tagged.startswith("mv OK"), tagged
    untagged, _ = c.command("g3", 'GETQUOTA ""')
    assert untagged == ['* QUOTA "" (STORAGE 4 4 MESSAGE 2 10)']

    # EXPUNGE frees the space: now the copy of the small one fits.
    _, tagged = c.command("s2", "SELECT Archive")
    assert tagged.startswith("s2 OK"), tagged
    _, tagged = c.command("st", "UID STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert tagged.startswith("st OK"), tagged
    _, tagged = c.command("ex", "EXPUNGE")
    assert tagged.startswith("ex OK"), tagged
    untagged, _ = c.command("g4", 'GETQUOTA ""')
    assert untagged == ['* QUOTA "" (STORAGE 1 4 MESSAGE 1 10)']
    _, tagged = c.command("s3", "SELECT INBOX")
    assert tagged.startswith("s3 OK"), tagged
    _, tagged = c.command("cp2", "UID COPY 1 Archive")
    assert tagged.startswith("cp2 OK"), tagged

    r = server.cli("quota", "get", user)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "storage\t2000\t4096\nmessages\t2\t10\n"


def test_cli_set_takes_effect_at_once(server, user, c):
    _, tagged = append(c, "a1", "INBOX", message(500))
    assert tagged.startswith("a1 OK"), tagged
    r = server.cli("quota", "get", user)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "storage\t500\tnone\nmessages\t1\tnone\n"

    set_quota(server, user, "--messages", "1")
    untagged, _ = c.command("g", 'GETQUOTA ""')
    assert untagged == ['* QUOTA "" (MESSAGE 1 1)']
    _, tagged = append(c, "a2", "INBOX", message(100))
    assert tagged.startswith("a2 NO [OVERQUOTA]"), tagged

    set_quota(server, user, "--messages", "none", "--storage", "2048")
    untagged, _ = c.command("g2", 'GETQUOTA ""')
    assert untagged == ['* QUOTA "" (STORAGE 1 2)']
    _, tagged = append(c, "a3", "INBOX", message(100))
    assert tagged.startswith("a3 OK"), tagged
    r = server.cli("quota", "get", user)
    assert r.stdout == "storage\t600\t2048\nmessages\t2\tnone\n"


def test_cli_usage_errors(server, user):
    r = server.cli("quota", "set", user)
    assert r.returncode == 64, (r.returncode, r.stderr)
    r = server.cli("quota", "set", user, "--storage", "lots")
    assert r.returncode == 64, (r.returncode, r.stderr)
    r = server.cli("quota", "get", "nobody-here")
    assert r.returncode == 67, (r.returncode, r.stderr)


def test_default_limits_from_config(make_server):
    srv = make_server(overrides={"quota": {"default_storage": 10240, "default_messages": 3}})
    user = new_user(srv, prefix="qdef")
    with srv.raw() as c:
        _, tagged = c.command("l", f"LOGIN {user} secret")
        assert tagged.startswith("l OK"), tagged
        untagged, tagged = c.command("g", 'GETQUOTA ""')
        assert tagged.startswith("g OK"), tagged
        assert untagged == ['* QUOTA "" (STORAGE 0 10 MESSAGE 0 3)']
    r = srv.cli("quota", "get", user, "--config", str(srv.config_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "storage\t0\t10240\nmessages\t0\t3\n"
