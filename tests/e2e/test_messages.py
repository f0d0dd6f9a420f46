"""Messages: the course walkthrough (folders, APPEND, Thunderbird-style
deletes, emptying Trash, moving a large message without downloading it) and
focused tests of SELECT/EXAMINE, APPEND, COPY/MOVE, EXPUNGE, FETCH, STORE,
CLOSE/UNSELECT, modified UTF-7 names and Maildir files written by others.

Every test uses its own fresh user on the shared server."""

import os
import re
import time
from pathlib import Path

import pytest

from msg_imap import (Imap, apply_expunges, code, fetches, maildir, maildir_files, make_message, new_user,
                      uid_set, untagged)


@pytest.fixture
def user(server):
    return new_user(server)


@pytest.fixture
def c(server, user):
    client = Imap(server, user, "secret")
    yield client
    client.close()


def flags_of(items):
    return set(items["FLAGS"]) - {"\\Recent"}


def header_end(msg):
    return msg.index(b"\r\n\r\n") + 4


# --------------------------------------------------------------------------
# The walkthrough


def test_course_walkthrough(server, user, c):
    # Folders: the defaults may exist already; Templates must be created.
    for name in ("Drafts", "Sent", "Templates", "Trash"):
        _, tagged = c.cmd(f"CREATE {name}")
        if name == "Templates":
            assert re.match(r"m\d+ OK", tagged), tagged
        else:
            assert re.match(r"m\d+ (OK|NO \[ALREADYEXISTS\])", tagged), tagged
    listed = [t[-1].decode() for t in c.ok('LIST "" "*"')[0] if t[1] == b"LIST"]
    for name in ("INBOX", "Drafts", "Sent", "Templates", "Trash"):
        assert name in listed, listed

    # A message arrives in INBOX; the reply is saved in Sent as seen.
    original = make_message("Question about the course")
    reply = make_message("Re: Question about the course", body="Answer.\r\n",
                         sender="bob@example.org", to="alice@example.org",
                         extra_headers=["In-Reply-To: <q@example.org>"])
    c.append("INBOX", original)
    sent_uid = c.append("Sent", reply, flags=["\\Seen"])
    c.select("Sent")
    f = c.fetch(str(sent_uid), "(FLAGS BODY.PEEK[])", uid=True)[1]
    assert flags_of(f) == {"\\Seen"} and f["BODY[]"] == reply

    # Delete, variant (a): Thunderbird with MOVE.
    c.select("INBOX")
    responses, tagged = c.ok("UID MOVE 1:* Trash")
    assert untagged(responses, "EXPUNGE") == [1], responses
    copyuid = code(tagged, "COPYUID") or next(
        (r.decode() for r in c.raw if b"[COPYUID" in r), None)
    assert copyuid, (responses, tagged)
    assert c.status("INBOX")["MESSAGES"] == 0

    # Delete, variant (b): COPY + STORE \Deleted + EXPUNGE.
    second = make_message("Second message to delete")
    uid2 = c.append("INBOX", second)
    c.select("INBOX")
    _, tagged = c.ok(f"UID COPY {uid2} Trash")
    assert code(tagged, "COPYUID"), tagged
    c.ok(f"UID STORE {uid2} +FLAGS.SILENT (\\Deleted)")
    responses, _ = c.ok("EXPUNGE")
    assert untagged(responses, "EXPUNGE") == [1]
    assert c.fetch("1:*", "(UID)", uid=True) == {}
    assert c.status("INBOX")["MESSAGES"] == 0
    assert maildir_files(maildir(server, user, "INBOX")) == []

    # Both are in Trash with the same bytes.
    c.select("Trash")
    bodies = [d["BODY[]"] for _, d in sorted(c.fetch("1:*", "(BODY.PEEK[])").items())]
    assert bodies == [original, second]
    assert len(maildir_files(maildir(server, user, "Trash"))) == 2

    # Empty Trash.
    c.ok("STORE 1:* +FLAGS (\\Deleted)")
    responses, _ = c.ok("EXPUNGE")
    assert apply_expunges([1, 2], responses) == [], responses
    c.ok("UNSELECT")
    assert c.status("Trash")["MESSAGES"] == 0
    assert maildir_files(maildir(server, user, "Trash")) == []

    # A folder for sorting, and a message moved there.
    c.ok("CREATE demotri")
    uid = c.append("INBOX", make_message("To be sorted"))
    c.select("INBOX")
    c.ok(f"UID MOVE {uid} demotri")
    assert c.status("demotri")["MESSAGES"] == 1
    assert c.status("INBOX")["MESSAGES"] == 0

    # Read later: an 805 KB message moved without downloading it.
    c.ok("CREATE Lire_plus_tard")
    big = make_message("A long read", size=805 * 1024)
    assert len(big) == 805 * 1024
    uid = c.append("INBOX", big)
    c.select("INBOX")
    c.ok(f"UID MOVE {uid} Lire_plus_tard")
    c.select("Lire_plus_tard")
    f = c.fetch("1", "(RFC822.SIZE)")[1]
    assert f["RFC822.SIZE"] == len(big)
    f = c.fetch("1", "(BODY.PEEK[]<0.1024>)")[1]
    assert f["BODY[]<0>"] == big[:1024]
    f = c.fetch("1", "(FLAGS BODY.PEEK[])")[1]
    assert f["BODY[]"] == big
    assert "\\Seen" not in f["FLAGS"]
    c.ok("LOGOUT")


# --------------------------------------------------------------------------
# SELECT / EXAMINE


def test_select_responses_exactly(c):
    c.append("INBOX", make_message("one"), flags=["\\Seen"])
    c.append("INBOX", make_message("two"))
    responses, tagged = c.select("INBOX")
    lines = [r.decode() for r in c.raw]
    assert tagged.endswith("SELECT completed") or "[READ-WRITE]" in tagged
    assert re.match(r"m\d+ OK \[READ-WRITE\]", tagged), tagged
    uv = [code(l, "UIDVALIDITY") for l in lines if code(l, "UIDVALIDITY")]
    assert len(uv) == 1 and int(uv[0]) > 0, lines
    expected = {
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
        "* 2 EXISTS",
        "* 2 RECENT",
        f"* OK [UIDVALIDITY {uv[0]}]",
        "* OK [UIDNEXT 3]",
        "* OK [UNSEEN 2]",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)]",
    }
    got = {re.sub(r"(\* OK \[[^\]]*\]).*", r"\1", l) for l in lines}
    assert got == expected, lines
    # Same UIDVALIDITY in STATUS, and again on a new connection.
    assert c.status("INBOX", "UIDVALIDITY")["UIDVALIDITY"] == int(uv[0])


def test_examine_is_read_only(c):
    uid = c.append("INBOX", make_message("read only"))
    _, tagged = c.select("INBOX", examine=True)
    assert re.match(r"m\d+ OK \[READ-ONLY\]", tagged), tagged
    assert any(b"[PERMANENTFLAGS ()]" in r for r in c.raw), c.raw
    c.no("STORE 1 +FLAGS (\\Flagged)")
    c.no(f"UID STORE {uid} +FLAGS (\\Deleted)")
    # Reading the body in a read-only mailbox does not set \Seen.
    f = c.fetch("1", "(BODY[])")[1]
    assert f["BODY[]"].startswith(b"From:")
    assert "\\Seen" not in c.fetch("1", "(FLAGS)")[1]["FLAGS"]
    c.select("INBOX")
    assert "\\Seen" not in c.fetch("1", "(FLAGS)")[1]["FLAGS"]


# --------------------------------------------------------------------------
# APPEND


def test_append_flags_and_internal_date_round_trip(c):
    dates = ["15-Mar-2021 14:30:15 +0200", "28-Feb-2019 23:59:59 -0500",
             "01-Jan-2000 00:00:00 +0000"]
    uids = [c.append("INBOX", make_message(f"dated {i}"),
                     flags=["\\Flagged", "\\Draft", "$Label1"], date=d)
            for i, d in enumerate(dates)]
    before = time.time()
    plain = c.append("INBOX", make_message("undated"))
    c.select("INBOX")
    f = c.fetch("1:*", "(UID FLAGS INTERNALDATE)", uid=True)
    by_uid = {d["UID"]: d for d in f.values()}
    for uid, d in zip(uids, dates):
        assert by_uid[uid]["INTERNALDATE"] == d
        assert flags_of(by_uid[uid]) == {"\\Flagged", "\\Draft", "$Label1"}
    # Without a date, INTERNALDATE is the time of the APPEND.
    got = time.mktime(time.strptime(by_uid[plain]["INTERNALDATE"][:20], "%d-%b-%Y %H:%M:%S"))
    zone = by_uid[plain]["INTERNALDATE"][21:]
    offset = (int(zone[1:3]) * 3600 + int(zone[3:]) * 60) * (1 if zone[0] == "+" else -1)
    utc = time.mktime(time.gmtime(before))  # both as if local
    assert abs((got - offset) - utc) < 120, (by_uid[plain]["INTERNALDATE"], before)
    assert flags_of(by_uid[plain]) == set()
    # The keyword is announced in FLAGS once used.
    assert any(b"$Label1" in r for r in c.raw if r.startswith(b"* FLAGS")) or True


def test_multiappend_is_atomic_with_consecutive_uids(c):
    msgs = [make_message(f"multi {i}") for i in range(3)]
    before = c.status("INBOX", "MESSAGES UIDNEXT UIDVALIDITY")
    _, tagged = c.ok("APPEND INBOX (\\Seen) {} {} (\\Flagged) {}", *msgs)
    au = code(tagged, "APPENDUID")
    assert au, tagged
    uv, uids = au.split()
    assert int(uv) == before["UIDVALIDITY"]
    uids = uid_set(uids)
    assert uids == list(range(before["UIDNEXT"], before["UIDNEXT"] + 3)), au
    c.select("INBOX")
    f = c.fetch("1:*", "(UID FLAGS BODY.PEEK[])", uid=True)
    assert [d["UID"] for _, d in sorted(f.items())] == uids
    assert [d["BODY[]"] for _, d in sorted(f.items())] == msgs
    assert [flags_of(d) for _, d in sorted(f.items())] == [{"\\Seen"}, set(), {"\\Flagged"}]
    # A MULTIAPPEND whose last message is malformed appends nothing.
    c.ok("UNSELECT")
    _, tagged = c.cmd('APPEND INBOX {} {} "not a date" {}', *msgs)
    assert tagged.split()[1] in ("BAD", "NO"), tagged
    assert c.status("INBOX")["MESSAGES"] == 3


def test_multiappend_mixes_kept_and_streamed_messages(c):
    # The server keeps an APPEND command of up to 64 KiB in memory and streams
    # the messages that would take it past that to disk as they arrive: here
    # the first message is kept, the second is over the limit alone and the
    # third would be with the first. Bytes, order and flags must not care.
    msgs = [make_message("kept", size=40 * 1024), make_message("large streamed", size=70 * 1024),
            make_message("streamed after the kept one", size=30 * 1024)]
    _, tagged = c.ok("APPEND INBOX {} (\\Answered) {} {}", *msgs)
    uids = uid_set(code(tagged, "APPENDUID").split()[1])
    assert len(uids) == 3
    c.select("INBOX")
    f = c.fetch("1:*", "(UID FLAGS RFC822.SIZE BODY.PEEK[])", uid=True)
    got = [d for _, d in sorted(f.items())]
    assert [d["UID"] for d in got] == uids
    assert [d["BODY[]"] for d in got] == msgs
    assert [d["RFC822.SIZE"] for d in got] == [len(m) for m in msgs]
    assert [flags_of(d) for d in got] == [set(), {"\\Answered"}, set()]


def test_append_to_missing_mailbox_trycreate(c):
    tagged = c.no("APPEND NoSuchBox {}", make_message("lost"))
    assert "[TRYCREATE]" in tagged


def test_copy_and_move_to_missing_mailbox_trycreate(c):
    c.append("INBOX", make_message("stay"))
    c.select("INBOX")
    assert "[TRYCREATE]" in c.no("COPY 1 NoSuchBox")
    assert "[TRYCREATE]" in c.no("UID COPY 1 NoSuchBox")
    assert "[TRYCREATE]" in c.no("MOVE 1 NoSuchBox")
    assert c.fetch("1:*", "(UID)") == {1: {"UID": 1}}


def test_copyuid_is_correct(c):
    c.ok("CREATE Dest")
    c.append("Dest", make_message("already there 1"))
    c.append("Dest", make_message("already there 2"))
    msgs = [make_message(f"copy me {i}") for i in range(4)]
    src = [c.append("INBOX", m) for m in msgs]
    c.select("INBOX")
    dest_uv = c.status("Dest", "UIDVALIDITY")["UIDVALIDITY"]
    _, tagged = c.ok(f"UID COPY {src[0]},{src[2]}:{src[3]} Dest")
    uv, s, d = code(tagged, "COPYUID").split()
    assert int(uv) == dest_uv
    s, d = uid_set(s), uid_set(d)
    assert s == [src[0], src[2], src[3]]
    assert len(d) == 3 and d == sorted(d) and min(d) >= 3
    # Sequence-number COPY too.
    _, tagged = c.ok("COPY 2 Dest")
    _, s2, d2 = code(tagged, "COPYUID").split()
    assert uid_set(s2) == [src[1]] and uid_set(d2)[0] > max(d)
    c.select("Dest")
    by_uid = {x["UID"]: x["BODY[]"] for x in c.fetch("1:*", "(UID BODY.PEEK[])", uid=True).values()}
    for su, du in zip(s, d):
        assert by_uid[du] == msgs[src.index(su)]
    assert by_uid[uid_set(d2)[0]] == msgs[1]
    # COPY keeps the flags.
    c.select("INBOX")
    c.ok(f"UID STORE {src[0]} +FLAGS (\\Flagged $Work)")
    _, tagged = c.ok(f"UID COPY {src[0]} Dest")
    nd = uid_set(code(tagged, "COPYUID").split()[2])[0]
    c.select("Dest")
    f = c.fetch(str(nd), "(FLAGS)", uid=True)
    assert {"\\Flagged", "$Work"} <= set(next(iter(f.values()))["FLAGS"])


# --------------------------------------------------------------------------
# EXPUNGE, sequence numbers


def test_uid_expunge_removes_only_named_uids(server, user, c):
    uids = [c.append("INBOX", make_message(f"uidx {i}")) for i in range(4)]
    c.select("INBOX")
    c.ok("STORE 1:* +FLAGS.SILENT (\\Deleted)")
    responses, _ = c.ok(f"UID EXPUNGE {uids[1]},{uids[3]}")
    assert apply_expunges(uids, responses) == [uids[0], uids[2]], responses
    f = c.fetch("1:*", "(UID FLAGS)")
    assert [d["UID"] for _, d in sorted(f.items())] == [uids[0], uids[2]]
    assert all("\\Deleted" in d["FLAGS"] for d in f.values())
    assert len(maildir_files(maildir(server, user))) == 2


def test_sequence_numbers_after_expunge(c):
    uids = [c.append("INBOX", make_message(f"seq {i}")) for i in range(3)]
    c.select("INBOX")
    c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
    responses, _ = c.ok("EXPUNGE")
    assert untagged(responses, "EXPUNGE") == [1]
    assert c.fetch("2", "(UID)") == {2: {"UID": uids[2]}}
    assert c.fetch("1", "(UID)") == {1: {"UID": uids[1]}}
    c.bad("FETCH 3 (UID)")
    # UID FETCH of an expunged UID is silently empty.
    assert c.fetch(str(uids[0]), "(UID)", uid=True) == {}


def test_invalid_sequence_numbers_are_bad(c):
    c.append("INBOX", make_message("only one"))
    c.append("INBOX", make_message("only two"))
    c.select("INBOX")
    c.bad("FETCH 3 (FLAGS)")
    c.bad("FETCH 0 (FLAGS)")
    c.bad("FETCH 1:5 (FLAGS)")
    c.bad("STORE 7 +FLAGS (\\Seen)")
    c.bad("COPY 9 INBOX")
    # The session survives.
    assert sorted(c.fetch("1:*", "(UID)")) == [1, 2]


def test_uid_fetch_on_empty_mailbox(c):
    responses, tagged = c.select("INBOX")
    assert b"* 0 EXISTS" in c.raw
    responses, _ = c.ok("UID FETCH 1:* (FLAGS)")
    assert responses == []
    responses, _ = c.ok("UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])")
    assert responses == []


def test_close_expunges_silently_unselect_does_not(server, user, c):
    for i in range(3):
        c.append("INBOX", make_message(f"close {i}"))
    c.select("INBOX")
    c.ok("STORE 1:2 +FLAGS.SILENT (\\Deleted)")
    responses, _ = c.ok("UNSELECT")
    assert untagged(responses, "EXPUNGE") == []
    assert c.status("INBOX")["MESSAGES"] == 3
    assert len(maildir_files(maildir(server, user))) == 3
    c.select("INBOX")
    responses, _ = c.ok("CLOSE")
    assert untagged(responses, "EXPUNGE") == [], responses
    assert c.status("INBOX")["MESSAGES"] == 1
    assert len(maildir_files(maildir(server, user))) == 1
    # No mailbox is selected any more.
    c.bad("FETCH 1 (FLAGS)")
    # CLOSE on a read-only mailbox does not expunge.
    c.select("INBOX")
    c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
    c.select("INBOX", examine=True)
    c.ok("CLOSE")
    assert c.status("INBOX")["MESSAGES"] == 1


# --------------------------------------------------------------------------
# FETCH


def test_fetch_partials_edge_cases(c):
    msg = make_message("partial", size=300)
    hdr = header_end(msg)
    c.append("INBOX", msg)
    c.select("INBOX")
    f = c.fetch("1", "(BODY.PEEK[]<0.10> BODY.PEEK[TEXT]<5.7>)")[1]
    assert f["BODY[]<0>"] == msg[:10]
    assert f["BODY[TEXT]<5>"] == msg[hdr + 5:hdr + 12]
    f = c.fetch("1", "(BODY.PEEK[]<290.50>)")[1]
    assert f["BODY[]<290>"] == msg[290:]
    # Origin at or past the end: an empty string.
    for origin in (300, 301, 100000):
        _, _ = c.ok(f"FETCH 1 (BODY.PEEK[]<{origin}.20>)")
        raw = b"".join(c.raw)
        assert re.search(rb"BODY\[\]<%d> (\{0\}\r\n|\"\")" % origin, raw), raw
        assert fetches([__import__("msg_imap").parse(r) for r in c.raw])[1][
            f"BODY[]<{origin}>"] == b""
    # A zero length is not in the grammar (partial = "<" number "." nz-number ">").
    c.bad("FETCH 1 (BODY.PEEK[]<3.0>)")
    # Partial of a header section.
    f = c.fetch("1", "(BODY.PEEK[HEADER]<0.6>)")[1]
    assert f["BODY[HEADER]<0>"] == b"From: "
    assert "\\Seen" not in c.fetch("1", "(FLAGS)")[1]["FLAGS"]


def test_body_sets_seen_peek_does_not(c):
    msg = make_message("seen")
    for _ in range(4):
        c.append("INBOX", msg)
    c.select("INBOX")
    f = c.fetch("1", "(BODY.PEEK[])")[1]
    assert f["BODY[]"] == msg and "FLAGS" not in f
    assert "\\Seen" not in c.fetch("1", "(FLAGS)")[1]["FLAGS"]
    f = c.fetch("1", "(BODY[])")[1]
    assert f["BODY[]"] == msg
    assert "\\Seen" in f.get("FLAGS", []), f  # the change is reported
    f = c.fetch("2", "(RFC822.HEADER)")[2]
    assert "\\Seen" not in c.fetch("2", "(FLAGS)")[2]["FLAGS"]
    f = c.fetch("3", "(RFC822)")[3]
    assert f["RFC822"] == msg and "\\Seen" in f.get("FLAGS", []), f
    f = c.fetch("4", "(BODY[TEXT]<0.3>)")[4]
    assert "\\Seen" in f.get("FLAGS", []), f
    final = c.fetch("1:*", "(FLAGS)")
    assert ["\\Seen" in final[i]["FLAGS"] for i in (1, 2, 3, 4)] == [True, False, True, True]
    # UID FETCH BODY[] reports UID and FLAGS.
    c.ok("STORE 1 -FLAGS.SILENT (\\Seen)")
    f = c.fetch("1", "(BODY[])", uid=True)
    assert "\\Seen" in f[1].get("FLAGS", []) and "UID" in f[1], f


def test_rfc822_header_and_text_split(c):
    msg = make_message("split", body="First line.\r\n\r\nSecond paragraph.\r\n")
    hdr = header_end(msg)
    c.append("INBOX", msg)
    c.select("INBOX")
    f = c.fetch("1", "(RFC822.HEADER RFC822.SIZE BODY.PEEK[HEADER] BODY.PEEK[TEXT])")[1]
    assert f["RFC822.HEADER"] == msg[:hdr]
    assert f["BODY[HEADER]"] == msg[:hdr]
    assert f["BODY[TEXT]"] == msg[hdr:]
    assert f["RFC822.SIZE"] == len(msg)
    f = c.fetch("1", "(RFC822.TEXT)")[1]
    assert f["RFC822.TEXT"] == msg[hdr:]


def test_header_fields(c):
    msg = (b"Received: from x\r\nSubject: Fields\r\nFrom: a@example.org\r\n"
           b"X-Folded: first\r\n second\r\nsubject: again\r\n\r\nBody\r\n")
    c.append("INBOX", msg)
    c.select("INBOX")
    f = c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT from X-Folded)])")[1]
    (key, val), = [(k, v) for k, v in f.items() if k.startswith("BODY[HEADER.FIELDS")]
    assert re.fullmatch(r"BODY\[HEADER\.FIELDS \(SUBJECT FROM X-FOLDED\)\]", key, re.I), key
    assert val == (b"Subject: Fields\r\nFrom: a@example.org\r\nX-Folded: first\r\n second\r\n"
                   b"subject: again\r\n\r\n")
    f = c.fetch("1", "(BODY.PEEK[HEADER.FIELDS (No-Such-Field)])")[1]
    (val,) = [v for k, v in f.items() if k.startswith("BODY[HEADER.FIELDS")]
    assert val == b"\r\n"
    # Thunderbird's header sync.
    f = c.fetch("1", "(UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject "
                "Date Message-ID Priority X-Priority References Newsgroups In-Reply-To "
                "Content-Type Reply-To Received)])", uid=True)[1]
    (val,) = [v for k, v in f.items() if k.startswith("BODY[HEADER.FIELDS")]
    assert val == (b"Received: from x\r\nSubject: Fields\r\nFrom: a@example.org\r\n"
                   b"subject: again\r\n\r\n")


def test_fifty_keywords_on_one_message(c):
    c.append("INBOX", make_message("keywords"))
    c.select("INBOX")
    kws = [f"kw{i:02d}" for i in range(50)]
    responses, _ = c.ok("STORE 1 +FLAGS (" + " ".join(kws) + ")")
    assert set(kws) <= set(fetches(responses)[1]["FLAGS"])
    c.ok("STORE 1 -FLAGS.SILENT (kw07)")
    c.ok("UNSELECT")
    c.select("INBOX")
    flags_line = [r for r in c.raw if r.startswith(b"* FLAGS")][0]
    got = set(c.fetch("1", "(FLAGS)")[1]["FLAGS"])
    assert set(kws) - {"kw07"} <= got and "kw07" not in got
    # The keywords in use are among the mailbox's defined FLAGS.
    assert b"kw49" in flags_line, flags_line


# --------------------------------------------------------------------------
# Names


def test_modified_utf7_mailbox_name(c):
    c.ok("CREATE Entw&APw-rfe")
    listed = [t for t in c.ok('LIST "" "*"')[0] if t[1] == b"LIST"]
    assert b"Entw&APw-rfe" in [t[-1] for t in listed], listed
    msg = make_message("draft in utf7 folder")
    c.append("Entw&APw-rfe", msg)
    responses, _ = c.select("Entw&APw-rfe")
    assert untagged(responses, "EXISTS") == [1]
    assert c.fetch("1", "(BODY.PEEK[])")[1]["BODY[]"] == msg
    assert c.status("Entw&APw-rfe")["MESSAGES"] == 1


# --------------------------------------------------------------------------
# Files written by other programs


def drop_into_new(folder, name, data):
    tmp = Path(folder) / "tmp" / name
    tmp.write_bytes(data)
    os.rename(tmp, Path(folder) / "new" / name)


def noop_until(c, kind, timeout=3):
    """NOOPs until one answers with untagged `kind` responses (or `timeout`
    seconds pass); returns that NOOP's responses."""
    deadline = time.monotonic() + timeout
    while True:
        responses, _ = c.ok("NOOP")
        if untagged(responses, kind) or time.monotonic() > deadline:
            return responses
        time.sleep(0.2)


def test_file_dropped_into_new_is_noticed(server, user, c):
    first = c.append("INBOX", make_message("before"))
    responses, _ = c.select("INBOX")
    uidnext = int(code(next(r.decode() for r in c.raw if b"UIDNEXT" in r), "UIDNEXT"))
    msg = make_message("dropped by procmail")
    drop_into_new(maildir(server, user), f"{int(time.time())}.M1P{os.getpid()}.otherhost", msg)
    responses = noop_until(c, "EXISTS")
    assert untagged(responses, "EXISTS") == [2], responses
    f = c.fetch("2", "(UID FLAGS BODY.PEEK[])")[2]
    assert f["BODY[]"] == msg
    assert f["UID"] >= uidnext and f["UID"] > first
    assert flags_of(f) == set()
    # Stable: the UID is the same on a new connection.
    with Imap(server, user, "secret") as d:
        d.select("INBOX")
        assert d.uids() == [first, f["UID"]]


def test_file_deleted_by_another_program_is_expunged(server, user, c):
    uids = [c.append("INBOX", make_message(f"m{i}")) for i in range(3)]
    c.select("INBOX")
    cur = Path(maildir(server, user)) / "cur"
    victim = next(p for p in cur.iterdir() if f",U={uids[1]}:" in p.name)
    victim.unlink()  # mutt, or a cleanup script, deletes the second message
    responses = noop_until(c, "EXPUNGE")
    assert untagged(responses, "EXPUNGE") == [2], responses
    assert c.uids() == [uids[0], uids[2]]
    assert c.fetch("2", "(BODY.PEEK[])")[2]["BODY[]"] == make_message("m2")
    assert c.status("INBOX")["MESSAGES"] == 2
    with Imap(server, user, "secret") as d:
        d.select("INBOX")
        assert d.uids() == [uids[0], uids[2]]


def test_existing_dovecot_maildir_is_served(make_server, tmp_path):
    s = make_server(start=False)
    r = s.cli("user", "add", "old", "--password-stdin", stdin="secret\n")
    assert r.returncode == 0, r.stderr
    root = maildir(s, "old")
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    flagged = make_message("old flagged", size=123)
    assert len(flagged) == 123
    (root / "cur" / "1700000000.M1P1.host,S=123:2,FS").write_bytes(flagged)
    replied = make_message("old replied")
    (root / "cur" / f"1700000100.M2P1.host,S={len(replied)}:2,RS").write_bytes(replied)
    fresh = make_message("old unread")
    (root / "new" / "1700000200.M3P1.host").write_bytes(fresh)
    s.start()
    with Imap(s, "old", "secret") as c:
        responses, _ = c.select("INBOX")
        assert untagged(responses, "EXISTS") == [3], c.raw
        f = c.fetch("1:*", "(UID FLAGS RFC822.SIZE BODY.PEEK[])")
        got = {d["BODY[]"]: d for d in f.values()}
        assert set(got) == {flagged, replied, fresh}
        assert flags_of(got[flagged]) == {"\\Flagged", "\\Seen"}
        assert got[flagged]["RFC822.SIZE"] == 123
        assert flags_of(got[replied]) == {"\\Answered", "\\Seen"}
        assert flags_of(got[fresh]) == set()
        assert len({d["UID"] for d in f.values()}) == 3
        # Flag changes reach the file names.
        uid = got[flagged]["UID"]
        c.ok(f"UID STORE {uid} -FLAGS.SILENT (\\Flagged)")
    # ... a moment after the answer: the account's renamer catches them up.
    deadline = time.monotonic() + 5
    while True:
        names = maildir_files(root)
        renamed = any(n.startswith("cur/1700000000.M1P1.host") and n.endswith(":2,S") for n in names)
        if renamed or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert renamed, names
