"""Several sessions on one mailbox: NOOP and IDLE report other sessions'
appends, flag changes and expunges; expunges are never reported during a
FETCH by sequence number (RFC 9051 §7.4.1); concurrent expunges and appends
keep the mailbox and the index consistent."""

import re
import threading
import time

import pytest

from msg_imap import (Imap, apply_expunges, fetches, maildir, maildir_files, make_message,
                      new_user, uid_set, untagged)


@pytest.fixture
def user(server):
    return new_user(server, prefix="cc")


def session(server, user):
    return Imap(server, user, "secret")


def fill(c, n, prefix="msg"):
    return [c.append("INBOX", make_message(f"{prefix} {i}")) for i in range(n)]


def index_check(server, user):
    """Runs `courriel index check USER` if the command exists."""
    r = server.cli("index", "check", user)
    if r.returncode != 0 and re.search(r"(?i)(subcommand|not found|unknown|extraction|"
                                       r"The following argument)", r.stderr + r.stdout):
        return None  # not implemented yet
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    return r


def test_noop_reports_append_and_flags(server, user):
    with session(server, user) as a, session(server, user) as b:
        fill(a, 3)
        a.select("INBOX")
        responses, _ = b.select("INBOX")
        assert untagged(responses, "EXISTS") == [3]

        a.append("INBOX", make_message("new one"))
        responses, _ = b.ok("NOOP")
        assert untagged(responses, "EXISTS") == [4], responses

        a.ok("STORE 1 +FLAGS (\\Flagged)")
        responses, _ = b.ok("NOOP")
        f = fetches(responses)
        assert set(f) == {1}, responses
        assert set(f[1]["FLAGS"]) - {"\\Recent"} == {"\\Flagged"}, f
        # Nothing more to report.
        responses, _ = b.ok("NOOP")
        assert responses == [], responses

        a.ok("STORE 1 -FLAGS (\\Flagged)")
        a.ok("STORE 2 +FLAGS (\\Seen $Important)")
        responses, _ = b.ok("NOOP")
        f = fetches(responses)
        assert set(f[1]["FLAGS"]) - {"\\Recent"} == set(), f
        assert set(f[2]["FLAGS"]) - {"\\Recent"} == {"\\Seen", "$Important"}, f


def test_expunge_is_not_reported_during_fetch_by_sequence(server, user):
    with session(server, user) as a, session(server, user) as b:
        uids = fill(a, 4)
        a.select("INBOX")
        b.select("INBOX")
        a.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
        responses, _ = a.ok("EXPUNGE")
        assert untagged(responses, "EXPUNGE") == [2]

        # B still has 4 messages; a FETCH by sequence number must not shift them.
        responses, tagged = b.cmd("FETCH 1:* (UID)")
        assert tagged.split()[1] in ("OK", "NO"), tagged
        assert untagged(responses, "EXPUNGE") == [], responses
        for seq, d in fetches(responses).items():
            assert d["UID"] == uids[seq - 1], (seq, d, uids)
        assert {1, 3, 4} <= set(fetches(responses)), responses
        # STORE by sequence number does not shift either.
        responses, tagged = b.cmd("STORE 3 +FLAGS (\\Answered)")
        assert untagged(responses, "EXPUNGE") == [], responses
        assert set(fetches(responses)) <= {3}, responses

        # NOOP reports it, then B's numbers are the server's.
        responses, _ = b.ok("NOOP")
        assert untagged(responses, "EXPUNGE") == [2], responses
        view = apply_expunges(uids, responses)
        assert view == [uids[0], uids[2], uids[3]]
        f = b.fetch("1:*", "(UID FLAGS)")
        assert [f[s]["UID"] for s in sorted(f)] == view
        assert "\\Answered" in f[2]["FLAGS"]
        with session(server, user) as c:
            c.select("INBOX")
            assert c.uids() == view
        # UID FETCH may report the expunge; either way B stays consistent.
        responses, _ = b.ok("UID FETCH 1:* (FLAGS)")
        assert untagged(responses, "EXPUNGE") == []


def test_uid_commands_may_report_expunges(server, user):
    with session(server, user) as a, session(server, user) as b:
        uids = fill(a, 3)
        a.select("INBOX")
        b.select("INBOX")
        a.ok(f"UID STORE {uids[0]} +FLAGS.SILENT (\\Deleted)")
        a.ok("EXPUNGE")
        responses, _ = b.ok("UID FETCH 1:* (UID)")
        view = apply_expunges(uids, responses)
        assert {d["UID"] for d in fetches(responses).values()} <= set(uids)
        responses, _ = b.ok("NOOP")
        view = apply_expunges(view, responses)
        assert view == uids[1:]


def read_until(c, pred, timeout):
    """Reads untagged responses until pred(tokens) or timeout; returns them."""
    from msg_imap import parse
    got = []
    deadline = time.monotonic() + timeout
    c.settimeout(timeout)
    try:
        while time.monotonic() < deadline:
            c.settimeout(max(0.01, deadline - time.monotonic()))
            t = parse(c.read_response())
            got.append(t)
            if pred(t):
                return got
    except OSError:
        pass
    finally:
        c.settimeout(10)
    raise AssertionError(f"not reported within {timeout}s; got {got}")


def test_idle_wakes_on_append_and_expunge(server, user):
    with session(server, user) as a, session(server, user) as b:
        uids = fill(a, 2)
        a.select("INBOX")
        b.select("INBOX")
        b.send_cmd("idle", "IDLE")
        assert b.readline().startswith(b"+"), "no IDLE continuation"

        t0 = time.monotonic()
        uids.append(a.append("INBOX", make_message("while idling")))
        got = read_until(b, lambda t: untagged([t], "EXISTS") == [3], 1.0)
        assert time.monotonic() - t0 < 1.0, got

        t0 = time.monotonic()
        a.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
        a.ok("EXPUNGE")
        got = read_until(b, lambda t: untagged([t], "EXPUNGE") == [1], 1.0)
        assert time.monotonic() - t0 < 1.0

        t0 = time.monotonic()
        a.ok("STORE 1 +FLAGS.SILENT (\\Flagged)")
        got = read_until(b, lambda t: 1 in fetches([t]), 1.0)
        assert "\\Flagged" in fetches([got[-1]])[1]["FLAGS"]

        b.send("DONE\r\n")
        responses, tagged = b.wait("idle")
        assert tagged.startswith("idle OK"), tagged
        f = b.fetch("1:*", "(UID)")
        assert [f[s]["UID"] for s in sorted(f)] == uids[1:]


def test_concurrent_expunges_stay_consistent(server, user):
    with session(server, user) as a, session(server, user) as b:
        uids = fill(a, 30)
        a.select("INBOX")
        b.select("INBOX")
        views = {"a": list(uids), "b": list(uids)}
        # A deletes the odd UIDs, B the multiples of 3; both expunge at once,
        # three rounds over thirds of the mailbox.
        errors = []
        for part in range(3):
            chunk = uids[part * 10:(part + 1) * 10]
            odd = ",".join(str(u) for u in chunk if u % 2)
            third = ",".join(str(u) for u in chunk if u % 3 == 0)
            a.ok(f"UID STORE {odd} +FLAGS.SILENT (\\Deleted)")
            b.ok(f"UID STORE {third} +FLAGS.SILENT (\\Deleted)")
            barrier = threading.Barrier(2)

            def run(name, c):
                try:
                    barrier.wait()
                    responses, tagged = c.cmd("EXPUNGE")
                    assert tagged.split()[1] == "OK", tagged
                    views[name] = apply_expunges(views[name], responses)
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(f"{name}: {e!r}")

            ts = [threading.Thread(target=run, args=("a", a)),
                  threading.Thread(target=run, args=("b", b))]
            for t in ts:
                t.start()
            for t in ts:
                t.join(20)
            assert not errors, errors
        expected = [u for u in uids if u % 2 == 0 and u % 3 != 0]
        for name, c in (("a", a), ("b", b)):
            responses, _ = c.ok("NOOP")
            views[name] = apply_expunges(views[name], responses)
            assert views[name] == expected, (name, views[name])
            f = c.fetch("1:*", "(UID FLAGS)")
            assert [f[s]["UID"] for s in sorted(f)] == expected
            assert not any("\\Deleted" in d["FLAGS"] for d in f.values())
        a.ok("UNSELECT")
        st = a.status("INBOX", "MESSAGES UIDNEXT")
        assert st["MESSAGES"] == len(expected)
        assert st["UIDNEXT"] == uids[-1] + 1
    assert len(maildir_files(maildir(server, user))) == len(expected)
    index_check(server, user)


def test_eight_clients_append_fifty_each(server, user):
    results = {}
    errors = []
    start = threading.Barrier(8)

    def worker(k):
        try:
            with session(server, user) as c:
                start.wait()
                got = []
                for i in range(50):
                    msg = make_message(f"client {k} message {i}", body=f"{k}/{i}\r\n")
                    got.append((c.append("INBOX", msg), msg))
                results[k] = got
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"client {k}: {e!r}")

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors, errors[:3]
    acked = [x for k in range(8) for x in results[k]]
    assert len(acked) == 400
    assert len({u for u, _ in acked}) == 400, "duplicate APPENDUIDs"
    for k in range(8):  # each client's own appends get increasing UIDs
        us = [u for u, _ in results[k]]
        assert us == sorted(us)
    with session(server, user) as c:
        responses, _ = c.select("INBOX")
        assert untagged(responses, "EXISTS") == [400]
        f = c.fetch("1:*", "(UID BODY.PEEK[TEXT])", uid=True)
        by_uid = {d["UID"]: d["BODY[TEXT]"] for d in f.values()}
        assert sorted(by_uid) == sorted(u for u, _ in acked)
        for u, msg in acked:
            assert msg.endswith(by_uid[u]), u
        assert [f[s]["UID"] for s in sorted(f)] == sorted(by_uid)
    assert len(maildir_files(maildir(server, user))) == 400
    index_check(server, user)
