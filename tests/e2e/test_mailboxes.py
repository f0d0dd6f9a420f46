"""Mailbox management: CREATE, DELETE, RENAME, SUBSCRIBE/UNSUBSCRIBE, LIST
(with LIST-EXTENDED, SPECIAL-USE, LIST-STATUS), LSUB, NAMESPACE, STATUS, and
the `courriel mailbox` / `courriel index` admin commands.

Every test gets its own user on the shared server, so tests do not see each
other's mailboxes."""

import itertools
import os
import re

import pytest

_users = itertools.count()

DEFAULTS = [
    r'* LIST (\Subscribed \HasNoChildren) "/" INBOX',
    r'* LIST (\Subscribed \HasNoChildren \Archive) "/" Archive',
    r'* LIST (\Subscribed \HasNoChildren \Drafts) "/" Drafts',
    r'* LIST (\Subscribed \HasNoChildren \Junk) "/" Junk',
    r'* LIST (\Subscribed \HasNoChildren \Sent) "/" Sent',
    r'* LIST (\Subscribed \HasNoChildren \Trash) "/" Trash',
]


@pytest.fixture
def user(server):
    name = f"mbx{os.getpid()}x{next(_users)}"
    r = server.cli("user", "add", name, "--password-stdin", stdin="secret\n")
    assert r.returncode == 0, r.stderr
    return name


@pytest.fixture
def c(server, user):
    """A raw client logged in as a fresh user."""
    client = server.raw()
    _, tagged = client.command("l", f"LOGIN {user} secret")
    assert tagged.startswith("l OK"), tagged
    yield client
    client.close()


def ok(c, text, tag="t"):
    lines, tagged = c.command(tag, text)
    assert tagged.startswith(f"{tag} OK"), (text, lines, tagged)
    return lines


def no(c, text, code=None, tag="t"):
    lines, tagged = c.command(tag, text)
    assert tagged.startswith(f"{tag} NO"), (text, lines, tagged)
    if code:
        assert tagged.startswith(f"{tag} NO [{code}]"), (text, tagged)
    return tagged


def names(lines):
    """Mailbox names (as sent) of LIST/LSUB lines whose name is an atom or quoted."""
    out = []
    for l in lines:
        m = re.match(r'^\* (?:LIST|LSUB) \([^)]*\) "/" ("(?:[^"\\]|\\.)*"|\S+)', l)
        if m:
            out.append(m.group(1).strip('"'))
    return out


def attrs(lines, name):
    for l in lines:
        m = re.match(r'^\* (?:LIST|LSUB) \(([^)]*)\) "/" ("?)(.*?)\2(?: \(.*\))?$', l)
        if m and m.group(3) == name:
            return set(m.group(1).split())
    raise AssertionError(f"{name} not in {lines}")


# --- a new account, as Thunderbird sees it ------------------------------------


def test_new_account_as_thunderbird_asks(c):
    assert ok(c, "NAMESPACE") == ['* NAMESPACE (("" "/")) NIL NIL']
    assert ok(c, 'LIST (SUBSCRIBED) "" "*" RETURN (SPECIAL-USE)') == DEFAULTS
    assert ok(c, 'LIST "" "INBOX"') == [r'* LIST (\HasNoChildren) "/" INBOX']
    assert ok(c, 'LIST "" "Trash"') == [r'* LIST (\HasNoChildren \Trash) "/" Trash']
    for box in ("INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive"):
        lines = ok(c, f'STATUS "{box}" (UIDNEXT MESSAGES UNSEEN RECENT)')
        assert lines == [f"* STATUS {box} (UIDNEXT 1 MESSAGES 0 UNSEEN 0 RECENT 0)"], lines
    # Special-use attributes come on the plain LIST too (RFC 6154 §2, as Dovecot).
    lines = ok(c, 'LIST "" "*"')
    assert [l.replace(r"\Subscribed ", "") for l in DEFAULTS] == lines


def test_special_use_selection(c):
    ok(c, "CREATE Plain")
    lines = ok(c, 'LIST (SPECIAL-USE) "" "*"')
    assert names(lines) == ["Archive", "Drafts", "Junk", "Sent", "Trash"]
    lines = ok(c, 'LIST "" "%" RETURN (SPECIAL-USE CHILDREN)')
    assert attrs(lines, "Plain") == {r"\HasNoChildren"}
    assert attrs(lines, "Sent") == {r"\HasNoChildren", r"\Sent"}


def test_create_special_use(c):
    ok(c, r"CREATE Outbox (USE (\Sent))")
    assert attrs(ok(c, 'LIST "" Outbox'), "Outbox") == {r"\HasNoChildren", r"\Sent"}
    no(c, r"CREATE Everything (USE (\All))", "USEATTR")
    no(c, r"CREATE Starred (USE (\Flagged))", "USEATTR")
    assert ok(c, 'LIST "" Everything') == []


# --- CREATE / DELETE / RENAME ----------------------------------------------------


def test_create_hierarchy_and_errors(c):
    ok(c, "CREATE a/b/c")
    lines = ok(c, 'LIST "" "a*"')
    assert lines == [
        r'* LIST (\HasChildren) "/" a',
        r'* LIST (\HasChildren) "/" a/b',
        r'* LIST (\HasNoChildren) "/" a/b/c',
    ]
    ok(c, "CREATE foo/")  # RFC 9051 §6.3.4: creates "foo"
    assert ok(c, 'LIST "" foo') == [r'* LIST (\HasNoChildren) "/" foo']
    no(c, "CREATE foo", "ALREADYEXISTS")
    no(c, "CREATE a/b", "ALREADYEXISTS")
    no(c, "CREATE INBOX", "ALREADYEXISTS")
    no(c, "CREATE inBox", "ALREADYEXISTS")
    # INBOX children are fine, whatever the case of INBOX.
    ok(c, "CREATE inbox/Lists")
    assert ok(c, 'LIST "" "INBOX/*"') == [r'* LIST (\HasNoChildren) "/" INBOX/Lists']


@pytest.mark.parametrize("bad", ["../x", "a//b", "/abs", "x//", "..", ".", "a/../b",
                                 '"a*b"', '"a%b"', '"tab\tx"'])
def test_names_that_would_escape_are_refused(server, c, user, bad):
    tagged = no(c, f"CREATE {bad}")
    assert "[CANNOT]" in tagged, tagged
    # Nothing appeared outside the account's Maildir.
    assert not (server.data_dir / "localhost" / "x").exists()
    assert not (server.data_dir / "localhost" / user / "x").exists()


def test_invalid_modified_utf7_is_refused(c):
    no(c, "CREATE &Jjo", "CANNOT")
    no(c, "CREATE &AGE-", "CANNOT")  # printable ASCII must not be encoded


def test_delete(c):
    ok(c, "CREATE a/b")
    no(c, "DELETE INBOX")
    no(c, "DELETE inbox")
    no(c, "DELETE nosuch", "NONEXISTENT")
    # A parent with children goes; its children stay under a \Noselect name.
    ok(c, "DELETE a")
    lines = ok(c, 'LIST "" "*"')
    assert attrs(lines, "a") == {r"\Noselect", r"\HasChildren"}
    assert attrs(lines, "a/b") == {r"\HasNoChildren"}
    lines = ok(c, 'LIST () "" "a" RETURN (CHILDREN)')
    assert attrs(lines, "a") == {r"\NonExistent", r"\HasChildren"}
    no(c, "DELETE a", "NONEXISTENT")
    no(c, "SELECT a")
    ok(c, "DELETE a/b")
    assert ok(c, 'LIST "" "a*"') == []
    # Re-created: a new mailbox.
    ok(c, "CREATE a")
    assert ok(c, 'LIST "" a') == [r'* LIST (\HasNoChildren) "/" a']


def test_rename(c):
    ok(c, "CREATE foo/bar/zap")
    ok(c, "CREATE other")
    ok(c, "RENAME foo baz/rag")
    lines = ok(c, 'LIST "" "*"')
    assert "foo" not in names(lines) and "foo/bar" not in names(lines)
    for n in ("baz", "baz/rag", "baz/rag/bar", "baz/rag/bar/zap"):
        assert n in names(lines), (n, lines)
    no(c, "RENAME other baz", "ALREADYEXISTS")
    no(c, "RENAME nosuch x", "NONEXISTENT")
    no(c, "RENAME other INBOX", "ALREADYEXISTS")
    no(c, "RENAME baz baz/inner")
    no(c, "RENAME other ../escape", "CANNOT")
    ok(c, "RENAME other Other")
    assert "Other" in names(ok(c, 'LIST "" "%"'))


def test_rename_inbox_moves_its_messages(c):
    c.send(b"ap APPEND INBOX {34}\r\n")
    line = c.readline()
    if not line.startswith("+"):
        pytest.skip(f"APPEND not available yet: {line}")
    c.send(b"Subject: hi\r\n\r\nhello over there\r\n\r\n")
    _, tagged = c.read_until_tagged("ap")
    assert tagged.startswith("ap OK"), tagged
    ok(c, "CREATE INBOX/kept")
    ok(c, "RENAME INBOX Old")
    assert ok(c, "STATUS INBOX (MESSAGES)") == ["* STATUS INBOX (MESSAGES 0)"]
    assert ok(c, "STATUS Old (MESSAGES)") == ["* STATUS Old (MESSAGES 1)"]
    lines = ok(c, 'LIST "" "*"')
    assert {"INBOX", "INBOX/kept", "Old"} <= set(names(lines)), lines


def test_rename_empty_inbox(c):
    ok(c, "RENAME INBOX Old")
    lines = ok(c, 'LIST "" "%"')
    assert names(lines)[0] == "INBOX"
    assert "Old" in names(lines)
    assert ok(c, "STATUS Old (MESSAGES UIDNEXT)") == ["* STATUS Old (MESSAGES 0 UIDNEXT 1)"]


# --- subscriptions -----------------------------------------------------------------


def test_subscribe_and_list_subscribed(c):
    ok(c, "CREATE Lists/ietf")
    ok(c, "SUBSCRIBE Lists/ietf")
    ok(c, "SUBSCRIBE Lists/ietf")  # again: still OK
    ok(c, "SUBSCRIBE Ghost/child")  # need not exist (RFC 9051 §6.3.7)
    lines = ok(c, 'LIST (SUBSCRIBED) "" "*"')
    assert attrs(lines, "Lists/ietf") == {r"\Subscribed", r"\HasNoChildren"}
    assert attrs(lines, "Ghost/child") == {r"\Subscribed", r"\NonExistent"}
    assert "Lists" not in names(lines)
    # The plain LIST never shows a subscription-only name; RETURN (SUBSCRIBED) marks.
    lines = ok(c, 'LIST "" "*" RETURN (SUBSCRIBED)')
    assert "Ghost/child" not in names(lines)
    assert attrs(lines, "Lists") == {r"\HasChildren"}
    assert attrs(lines, "Lists/ietf") == {r"\Subscribed", r"\HasNoChildren"}
    # RECURSIVEMATCH: parents of subscribed names, with CHILDINFO (RFC 5258 §3.5).
    lines = ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
    assert r'* LIST (\HasChildren) "/" Lists ("CHILDINFO" ("SUBSCRIBED"))' in lines
    assert r'* LIST (\NonExistent) "/" Ghost ("CHILDINFO" ("SUBSCRIBED"))' in lines
    _, tagged = c.command("r", 'LIST (RECURSIVEMATCH) "" "%"')
    assert tagged.startswith("r BAD"), tagged

    # LSUB: unsubscribed parents show \Noselect under "%" only.
    lines = ok(c, 'LSUB "" "%"')
    assert r'* LSUB (\Noselect) "/" Lists' in lines
    assert r'* LSUB (\Noselect) "/" Ghost' in lines
    assert "* LSUB () \"/\" INBOX" in lines
    lines = ok(c, 'LSUB "" "*"')
    assert "Lists" not in names(lines)
    assert {"Lists/ietf", "Ghost/child", "INBOX", "Trash"} <= set(names(lines))

    ok(c, "UNSUBSCRIBE Ghost/child")
    ok(c, "UNSUBSCRIBE Ghost/child")  # not subscribed: still OK (RFC 9051 §6.3.8)
    assert "Ghost/child" not in names(ok(c, 'LSUB "" "*"'))


def test_deleted_mailbox_subscription_shows_nonexistent(c):
    ok(c, "CREATE Temp")
    ok(c, "SUBSCRIBE Temp")
    ok(c, "DELETE Temp")
    lines = ok(c, 'LIST (SUBSCRIBED) "" "Temp"')
    if lines:  # the store may keep the subscription (RFC 5258 §5 example 2)
        assert attrs(lines, "Temp") == {r"\Subscribed", r"\NonExistent"}


# --- patterns -------------------------------------------------------------------------


def test_patterns(c):
    for n in ("a/b/c", "a/x", "ab", "INBOX/sub"):
        ok(c, f"CREATE {n}")
    assert names(ok(c, 'LIST "" "%"')) == [
        "INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash", "a", "ab"]
    assert names(ok(c, 'LIST "" "a/%"')) == ["a/b", "a/x"]
    assert names(ok(c, 'LIST "" "a/*"')) == ["a/b", "a/b/c", "a/x"]
    assert names(ok(c, 'LIST "a/" "%"')) == ["a/b", "a/x"]
    assert names(ok(c, 'LIST "" "%/%"')) == ["INBOX/sub", "a/b", "a/x"]
    assert names(ok(c, 'LIST "" "*c"')) == ["a/b/c"]
    assert names(ok(c, 'LIST "" "inbox"')) == ["INBOX"]
    assert names(ok(c, 'LIST "" "Inbox/%"')) == ["INBOX/sub"]
    assert names(ok(c, 'LIST "" "i*"')) == ["INBOX", "INBOX/sub"]
    assert names(ok(c, 'LIST "" "trash"')) == []  # only INBOX is case-insensitive
    assert names(ok(c, 'LIST "" ("ab" "a/%" "ab")')) == ["a/b", "a/x", "ab"]
    # A pathological pattern answers at once.
    ok(c, 'LIST "" "' + "*a" * 300 + '*b"')
    # The hierarchy delimiter request (RFC 3501 §6.3.8).
    assert ok(c, 'LIST "" ""') == [r'* LIST (\Noselect) "/" ""']
    assert ok(c, 'LIST "a/" ""') == [r'* LIST (\Noselect) "/" ""']


def test_modified_utf7_names(server, c, user):
    ok(c, "CREATE Entw&APw-rfe")
    ok(c, "CREATE &ZeVnLIqe-/&U,BTFw-")  # 日本語/台北
    lines = ok(c, 'LIST "" "*"')
    assert "Entw&APw-rfe" in names(lines)
    assert "&ZeVnLIqe-" in names(lines) and "&ZeVnLIqe-/&U,BTFw-" in names(lines)
    assert names(ok(c, 'LIST "" "Entw&APw-%"')) == ["Entw&APw-rfe"]
    assert names(ok(c, 'LIST "" "Entw%"')) == ["Entw&APw-rfe"]
    assert ok(c, "STATUS Entw&APw-rfe (MESSAGES)") == ["* STATUS Entw&APw-rfe (MESSAGES 0)"]
    no(c, "CREATE Entw&APw-rfe", "ALREADYEXISTS")
    ok(c, "RENAME Entw&APw-rfe Br&AOk-sil")
    assert "Br&AOk-sil" in names(ok(c, 'LIST "" "%"'))
    # The admin tool shows the UTF-8 name.
    r = server.cli("mailbox", "list", user)
    assert r.returncode == 0, r.stderr
    assert "Brésil\t0" in r.stdout.splitlines(), r.stdout


# --- STATUS and LIST-STATUS -----------------------------------------------------------


def test_status(c):
    lines = ok(c, "STATUS Drafts (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE "
                  "HIGHESTMODSEQ APPENDLIMIT)")
    assert len(lines) == 1
    m = re.match(r"^\* STATUS Drafts \(MESSAGES 0 RECENT 0 UIDNEXT 1 UIDVALIDITY (\d+) UNSEEN 0 "
                 r"DELETED 0 SIZE 0 HIGHESTMODSEQ \d+ APPENDLIMIT (\d+|NIL)\)$", lines[0])
    assert m, lines
    assert int(m.group(1)) > 0
    no(c, "STATUS nosuch (MESSAGES)", "NONEXISTENT")
    ok(c, "CREATE p/q")
    ok(c, "DELETE p")
    no(c, "STATUS p (MESSAGES)", "NONEXISTENT")  # \Noselect
    assert ok(c, "STATUS inbox (MESSAGES)") == ["* STATUS INBOX (MESSAGES 0)"]
    # The selected mailbox too (RFC 9051 §6.3.11 allows it).
    lines, tagged = c.command("s", "SELECT Sent")
    if tagged.startswith("s OK"):
        assert ok(c, "STATUS Sent (MESSAGES)") == ["* STATUS Sent (MESSAGES 0)"]


def test_list_status(c):
    ok(c, "CREATE x/y")
    ok(c, "DELETE x")
    lines = ok(c, 'LIST "" "*" RETURN (STATUS (MESSAGES UIDNEXT))')
    # Every selectable mailbox: its LIST, then its STATUS; none for \Noselect "x".
    i = lines.index(r'* LIST (\NonExistent \HasChildren) "/" x')
    assert not lines[i + 1].startswith("* STATUS")
    listed = [l for l in lines if l.startswith("* LIST")]
    assert len(listed) == 8, lines
    for k, l in enumerate(lines):
        if l.startswith("* LIST") and "NonExistent" not in l:
            name = names([l])[0]
            assert lines[k + 1] == f"* STATUS {name} (MESSAGES 0 UIDNEXT 1)", lines
    lines = ok(c, 'LIST (SUBSCRIBED) "" "Sent" RETURN (STATUS (UNSEEN) SPECIAL-USE)')
    assert lines == [r'* LIST (\Subscribed \HasNoChildren \Sent) "/" Sent',
                     "* STATUS Sent (UNSEEN 0)"]


def test_mailbox_commands_need_login(server):
    with server.raw() as c:
        for cmd in ('LIST "" "*"', "CREATE x", "STATUS INBOX (MESSAGES)", "NAMESPACE"):
            _, tagged = c.command("n", cmd)
            assert tagged.startswith("n BAD") or tagged.startswith("n NO"), tagged


def test_imaplib_client(server, user):
    m = server.imap(starttls=False)
    m.login(user, "secret")
    assert m.create("Entw&APw-rfe")[0] == "OK"
    typ, data = m.list()
    assert typ == "OK"
    assert any(b'"/" Entw&APw-rfe' in d for d in data), data
    typ, data = m.lsub()
    assert typ == "OK" and any(b"INBOX" in d for d in data), data
    typ, data = m.status("INBOX", "(MESSAGES UIDNEXT)")
    assert typ == "OK" and data == [b"INBOX (MESSAGES 0 UIDNEXT 1)"], data
    assert m.rename("Entw&APw-rfe", "Drafts2")[0] == "OK"
    assert m.subscribe("Drafts2")[0] == "OK"
    assert m.unsubscribe("Drafts2")[0] == "OK"
    assert m.delete("Drafts2")[0] == "OK"
    assert m.delete("Drafts2")[0] == "NO"
    m.logout()


# --- the admin commands ---------------------------------------------------------------


def test_cli_mailbox_commands(server, user):
    r = server.cli("mailbox", "list", user)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "Archive\t0\t\\Archive", "Drafts\t0\t\\Drafts", "INBOX\t0", "Junk\t0\t\\Junk",
        "Sent\t0\t\\Sent", "Trash\t0\t\\Trash"]

    r = server.cli("mailbox", "create", user, "Projects/2027", "--special-use", "\\Archive")
    assert r.returncode == 0, r.stderr
    r = server.cli("mailbox", "create", user, "Outbox", "--special-use", "Sent")
    assert r.returncode == 0, r.stderr
    r = server.cli("mailbox", "list", user + "@localhost")
    lines = r.stdout.splitlines()
    assert "Projects\t0" in lines and "Projects/2027\t0\t\\Archive" in lines, lines
    assert "Outbox\t0\t\\Sent" in lines, lines

    # The running server sees the change at once.
    with server.raw() as c:
        ok(c, f"LOGIN {user} secret", "l")
        lines = ok(c, 'LIST "" "Projects/*"')
        assert lines == [r'* LIST (\HasNoChildren \Archive) "/" Projects/2027']

    r = server.cli("mailbox", "create", user, "Outbox")
    assert r.returncode == 1 and "exists" in r.stderr, (r.returncode, r.stderr)
    r = server.cli("mailbox", "create", user, "../evil")
    assert r.returncode == 64, (r.returncode, r.stderr)
    r = server.cli("mailbox", "create", user, "X", "--special-use", "\\Bogus")
    assert r.returncode == 64, (r.returncode, r.stderr)
    r = server.cli("mailbox", "delete", user, "Outbox")
    assert r.returncode == 0, r.stderr
    r = server.cli("mailbox", "delete", user, "Outbox")
    assert r.returncode == 1 and "no such mailbox" in r.stderr, r.stderr
    r = server.cli("mailbox", "delete", user, "inbox")
    assert r.returncode == 1 and "INBOX" in r.stderr, r.stderr
    assert "Outbox" not in server.cli("mailbox", "list", user).stdout


def test_cli_unknown_user(server):
    for args in (("mailbox", "list", "nobody"), ("mailbox", "create", "nobody", "x"),
                 ("index", "check", "nobody"), ("index", "rebuild", "nobody")):
        r = server.cli(*args)
        assert r.returncode == 67, (args, r.returncode, r.stderr)
        assert "no such user" in r.stderr
    r = server.cli("mailbox", "list", "Bad/Name")
    assert r.returncode == 64, r.stderr
    assert not (server.data_dir / "localhost" / "nobody").exists()


def test_cli_index_check_and_rebuild(server, user):
    # Open the account once so it exists on disk.
    assert server.cli("mailbox", "list", user).returncode == 0
    r = server.cli("index", "check", user)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert r.stdout == ""
    uidvalidity = None
    with server.raw() as c:
        ok(c, f"LOGIN {user} secret", "l")
        ok(c, "CREATE Kept")
        uidvalidity = ok(c, "STATUS Kept (UIDVALIDITY)")[0]
    r = server.cli("index", "rebuild", user)
    assert r.returncode == 0, r.stderr
    r = server.cli("index", "check", user)
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "Kept\t0" in server.cli("mailbox", "list", user).stdout.splitlines()
    with server.raw() as c:
        ok(c, f"LOGIN {user} secret", "l")
        assert ok(c, "STATUS Kept (UIDVALIDITY)")[0] == uidvalidity
    # A stray file in cur/ that the index does not know is a disagreement.
    maildir = server.data_dir / "localhost" / user / "Maildir"
    stray = maildir / ".Kept" / "cur" / "123.M1P1.stray:2,S"
    stray.write_bytes(b"Subject: stray\r\n\r\nx\r\n")
    r = server.cli("index", "check", user)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stdout.strip(), r.stdout
