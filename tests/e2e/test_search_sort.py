"""SEARCH, UID SEARCH, ESEARCH, SEARCHRES, SORT and THREAD: Courriel compared
with a private Dovecot on the same 30 messages (dc_search_corpus.py), with
the same flags, keywords and INTERNALDATEs, appended in the same order.

Normalisations (where RFC 3501/9051, 4731, 5182, 5256 leave room):
 * SEARCH results are compared as sets (RFC 3501 §7.2.5 does not order
   them); SORT results are compared in order (RFC 5256 fixes it, ties by
   sequence number); THREAD results compared as parsed trees.
 * ESEARCH ALL sequence-sets are compared expanded ("1:3,5" == "1,2,3,5",
   RFC 4731 §3.1 allows any sequence-set); the TAG correlator is each
   server's own tag.
 * SENTBEFORE/SENTON/SENTSINCE on a message without a Date: header
   (message 10): RFC 3501 §6.4.4 defines these keys only by the Date:
   header; Dovecot treats a missing Date as the epoch (so it is "before"
   everything), Courriel never matches it.  Message 10 is removed from both
   results for the SENT* keys.
 * Dovecot 2.3 misses address matches containing an apostrophe
   ("CC O'Neil" finds nothing in Cc: "O'Neil, Carl" <carl@...>, a Dovecot
   bug: RFC 3501 §6.4.4 CC is a substring match on the field).  For such
   criteria Dovecot is asked the HEADER form instead (DOVECOT_EQUIV).
 * BADCHARSET: only the NO status and the response code are compared, not
   the list of supported charsets (RFC 3501 §7.1).
Comparison tests are skipped when Dovecot is not installed.
"""

import re

import pytest

import dc_dovecot
from dc_search_corpus import messages
from msg_imap import Imap, new_user, parse, uid_set

MSGS = messages()


def _fill(c):
    for msg, flags, idate in MSGS:
        _, tagged = c.cmd(f'APPEND INBOX ({" ".join(flags)}) "{idate}" {{}}', msg)
        assert tagged.split(" ", 2)[1] == "OK", tagged
    c.select("INBOX")


@pytest.fixture(scope="module")
def courriel(shared_server):
    user = new_user(shared_server, "ss")
    c = Imap(shared_server, user, "secret")
    _fill(c)
    c.ok("STORE 1 -FLAGS.SILENT (\\Seen)")
    yield c
    c.close()


@pytest.fixture(scope="module")
def dovecot():
    if not dc_dovecot.available():
        pytest.skip(f"Dovecot is not installed ({dc_dovecot.DOVECOT_BIN})")
    d = dc_dovecot.Dovecot().start()
    try:
        c = Imap(d, dc_dovecot.USER, dc_dovecot.PASSWORD)
        _fill(c)
        c.ok("STORE 1 -FLAGS.SILENT (\\Seen)")
        yield c
        c.close()
    finally:
        d.stop()


def _run(client, text, *lits):
    responses, tagged = client.cmd(text, *lits)
    st = tagged.split(" ", 2)[1]
    return st, responses, tagged


def search_result(client, text, *lits):
    st, responses, tagged = _run(client, text, *lits)
    if st != "OK":
        m = re.search(r"\[([A-Z-]+)", tagged)
        return (st, m.group(1) if m else None)
    nums = []
    for t in responses:
        if t[:2] == [b"*", b"SEARCH"]:
            nums += [int(x) for x in t[2:]]
    return ("OK", sorted(nums))


# (criteria, literals): every RFC 3501 §6.4.4 key, sets and nesting.
U = "CHARSET UTF-8 "
CRITERIA = [
    ("ALL",), ("ANSWERED",), ("DELETED",), ("DRAFT",), ("FLAGGED",), ("NEW",), ("OLD",),
    ("RECENT",), ("SEEN",), ("UNANSWERED",), ("UNDELETED",), ("UNDRAFT",), ("UNFLAGGED",),
    ("UNSEEN",), ("KEYWORD $Work",), ("KEYWORD Urgent",), ("KEYWORD Nonexistent",),
    ("UNKEYWORD $Work",), ("UNKEYWORD urgent",),
    ("FROM alice",), ("FROM EXAMPLE.ORG",), ("FROM \"Bob Stone\"",), ("FROM xavier@example.org",),
    ("TO bob",), ("TO example.de",), ("CC carl",), ("CC O'Neil",), ("BCC hidden",),
    ("BCC secret.example",), ("BCC hidden5@secret.example",),
    ("SUBJECT meeting",), ("SUBJECT \"Re: Meeting\"",), ("SUBJECT HELLO",), ("SUBJECT fwd",),
    ("SUBJECT \"\"",), ("SUBJECT 2025",),
    ("BODY apple",), ("BODY secretword",), ("BODY \"filler line\"",), ("BODY kiwi3",),
    ("BODY Message",), ("TEXT apple",), ("TEXT alice",), ("TEXT m5@search",),
    ("HEADER X-Tag group-1",), ("HEADER X-Tag \"\"",), ("HEADER Message-ID <m7@search.example>",),
    ("HEADER In-Reply-To m4",), ("HEADER References \"\"",), ("HEADER Subject re",),
    ("LARGER 400",), ("LARGER 1000",), ("SMALLER 400",), ("SMALLER 1",), ("LARGER 0",),
    ("BEFORE 4-Nov-2025",), ("BEFORE 1-Nov-2025",), ("ON 4-Nov-2025",), ("ON 10-Nov-2025",),
    ("SINCE 7-Nov-2025",), ("SINCE 13-Nov-2025",),
    ("SENTBEFORE 3-Nov-2025",), ("SENTON 2-Nov-2025",), ("SENTON 3-Nov-2025",),
    ("SENTON 6-Nov-2025",), ("SENTSINCE 8-Nov-2025",), ("SENTSINCE 1-Jan-2030",),
    ("UID 1:5",), ("UID 3,7,9:*",), ("UID *",), ("1:5",), ("2,4,*",), ("*:28",), ("10:*",),
    ("NOT SEEN",), ("NOT NOT SEEN",), ("OR SEEN FLAGGED",), ("OR (SEEN FLAGGED) DELETED",),
    ("OR OR ANSWERED DRAFT NOT KEYWORD $Work",), ("(SEEN UNFLAGGED) (OR FROM alice TO alice)",),
    ("NOT (OR SUBJECT hello SUBJECT meeting)",), ("1:10 NOT 5:7 SEEN",),
    ("SEEN UNSEEN",), ("OR SMALLER 300 LARGER 2000",), ("NOT UID 1:*",),
    ("UNDELETED SINCE 4-Nov-2025 BEFORE 10-Nov-2025 OR FROM example.org TO example.org",),
    # non-ASCII: CHARSET UTF-8 and literals (8-bit quoted strings are refused)
    (U + "SUBJECT {}", "café"), (U + "SUBJECT {}", "CAFÉ"), (U + "SUBJECT {}", "été"),
    (U + "SUBJECT {}", "ÉTÉ"), (U + "SUBJECT {}", "Привет"), (U + "SUBJECT {}", "привет"),
    (U + "SUBJECT {}", "crème"), (U + "FROM {}", "Émile"), (U + "FROM {}", "émile"),
    (U + "FROM {}", "zoé"), (U + "FROM {}", "Müller"), (U + "BODY {}", "élan"),
    (U + "BODY {}", "ÉLAN"), (U + "BODY {}", "grüße"), (U + "BODY {}", "naïve"),
    (U + "TEXT {}", "Zürich"), (U + "TEXT {}", "zürich"), (U + "BODY {}", "apple"),
    (U + "SUBJECT café",), (U + "HEADER Subject {}", "é"),
    (U + "OR SUBJECT {} BODY {}", "résumé", "naïve"),
    ("CHARSET US-ASCII BODY banana",),
    ("CHARSET ISO-8859-1 SUBJECT {}", "caf\xe9".encode("latin-1")),
    ("CHARSET ISO-8859-1 BODY {}", "Gr\xfc\xdfe".encode("latin-1")),
]


NO_DATE_SEQ = 10  # dc_search_corpus: message i=9 has no Date: header

# criteria for which Dovecot's answer is wrong, with an equivalent it gets right
DOVECOT_EQUIV = {"CC O'Neil": "HEADER CC O'Neil"}


def _id(c):
    return " ".join(x if isinstance(x, str) else x.decode("latin-1") for x in c)[:60]


@pytest.mark.parametrize("crit", CRITERIA, ids=[_id(c) for c in CRITERIA])
def test_search_same_as_dovecot(courriel, dovecot, crit):
    text, *lits = crit
    c = search_result(courriel, "SEARCH " + text, *lits)
    d = search_result(dovecot, "SEARCH " + DOVECOT_EQUIV.get(text, text), *lits)
    if "SENT" in text and c[0] == d[0] == "OK":
        c = ("OK", [n for n in c[1] if n != NO_DATE_SEQ])
        d = ("OK", [n for n in d[1] if n != NO_DATE_SEQ])
    assert c == d, f"SEARCH {text} {lits}: Courriel {c}, Dovecot {d}"


@pytest.mark.parametrize("crit", [("ALL",), ("SEEN",), ("UID 4:12 NOT DELETED",),
                                  ("OR KEYWORD Urgent 2:3",), (U + "BODY {}", "élan")],
                         ids=lambda c: c[0])
def test_uid_search_same_as_dovecot(courriel, dovecot, crit):
    text, *lits = crit
    c = search_result(courriel, "UID SEARCH " + text, *lits)
    d = search_result(dovecot, "UID SEARCH " + text, *lits)
    # UIDs of both fresh mailboxes start at 1 and follow APPEND order
    assert c == d, f"UID SEARCH {text}: Courriel {c}, Dovecot {d}"


def test_badcharset(courriel, dovecot):
    for client in (courriel, dovecot):
        st, _, tagged = _run(client, "SEARCH CHARSET X-NO-SUCH-CHARSET SUBJECT a")
        assert st == "NO" and "[BADCHARSET" in tagged, tagged
    st, _, tagged = _run(courriel, "SEARCH CHARSET X-NO-SUCH-CHARSET SUBJECT a")
    # RFC 3501 §7.1: BADCHARSET may list the supported charsets; UTF-8 if so
    m = re.search(r"\[BADCHARSET(?: \(([^)]*)\))?\]", tagged)
    assert m, tagged
    if m.group(1):
        assert "UTF-8" in m.group(1).upper().split(), tagged


# ---------------------------------------------------------------------------
# ESEARCH (RFC 4731) and SEARCHRES (RFC 5182)


def _esearch(client, text):
    st, responses, tagged = _run(client, text)
    assert st == "OK", tagged
    lines = [r for r in client.raw if r.startswith(b"* ESEARCH")]
    assert len(lines) == 1, client.raw
    return lines[0].decode(), tagged.split(" ", 1)[0]


def _esearch_items(line):
    toks = parse(line.encode())
    assert toks[:2] == [b"*", b"ESEARCH"], line
    rest = toks[2:]
    out = {}
    if rest and isinstance(rest[0], list):
        out["TAG"] = rest[0][1].decode()
        rest = rest[1:]
    if rest and rest[0] == b"UID":
        out["UID"] = True
        rest = rest[1:]
    for i in range(0, len(rest), 2):
        k = rest[i].decode().upper()
        v = rest[i + 1].decode()
        out[k] = sorted(uid_set(v)) if k == "ALL" else int(v)
    return out


@pytest.mark.parametrize("text", [
    "SEARCH RETURN (MIN MAX COUNT ALL) SEEN",
    "SEARCH RETURN (COUNT) FLAGGED",
    "SEARCH RETURN (MIN) UNSEEN",
    "SEARCH RETURN (MAX ALL) KEYWORD $Work",
    "SEARCH RETURN () SEEN",
    "UID SEARCH RETURN (MIN MAX COUNT ALL) UID 2:20 NOT DRAFT",
    "SEARCH RETURN (MIN MAX COUNT ALL) SUBJECT no-such-subject",
    "SEARCH RETURN (ALL) 1:30",
])
def test_esearch_same_as_dovecot(courriel, dovecot, text):
    cl, ctag = _esearch(courriel, text)
    dl, dtag = _esearch(dovecot, text)
    ci, di = _esearch_items(cl), _esearch_items(dl)
    assert ci.pop("TAG") == ctag and di.pop("TAG") == dtag, (cl, dl)
    assert ci == di, f"{text}: Courriel {cl!r}, Dovecot {dl!r}"
    # exact syntax (RFC 4731 §3.1 / RFC 9051 esearch-response)
    assert re.fullmatch(
        r'\* ESEARCH \(TAG "' + re.escape(ctag) + r'"\)( UID)?'
        r'( (MIN|MAX|COUNT) \d+| ALL (\d+(:\d+)?)(,\d+(:\d+)?)*)*', cl), cl
    if "RETURN ()" in text:  # same as RETURN (ALL)
        assert "ALL" in ci or ci == {}, cl
    if "no-such-subject" in text:  # no match: only COUNT 0 (RFC 4731 §3.1)
        assert ci == {"COUNT": 0}, cl


def test_searchres_same_as_dovecot(courriel, dovecot):
    out = {}
    for name, client in (("courriel", courriel), ("dovecot", dovecot)):
        st, responses, tagged = _run(client, "SEARCH RETURN (SAVE) OR FLAGGED KEYWORD Urgent")
        assert st == "OK", tagged
        # SAVE alone: no ESEARCH response (RFC 5182 §2.1)
        assert not any(r.startswith(b"* ESEARCH") for r in client.raw), client.raw
        st, responses, tagged = _run(client, "FETCH $ (UID)")
        assert st == "OK", tagged
        uids = sorted(int(t[3][1]) for t in responses if len(t) > 3 and t[2] == b"FETCH")
        s1 = search_result(client, "SEARCH $ SEEN")
        s2 = search_result(client, "UID SEARCH NOT $")
        s3 = search_result(client, "SEARCH RETURN (SAVE MIN) SUBJECT hello")
        s4 = search_result(client, "SEARCH $")
        out[name] = (uids, s1, s2, s3, s4)
    assert out["courriel"] == out["dovecot"], out


# ---------------------------------------------------------------------------
# SORT (RFC 5256) and SORT=DISPLAY (RFC 5957)


def sort_result(client, text):
    st, responses, tagged = _run(client, text)
    if st != "OK":
        return (st, tagged)
    nums = []
    for t in responses:
        if t[:2] == [b"*", b"SORT"]:
            nums += [int(x) for x in t[2:]]
    return nums


SORTS = [
    "(ARRIVAL) UTF-8 ALL", "(REVERSE ARRIVAL) UTF-8 ALL", "(CC) UTF-8 ALL",
    "(REVERSE CC) UTF-8 ALL", "(DATE) UTF-8 ALL", "(REVERSE DATE) UTF-8 ALL",
    "(FROM) UTF-8 ALL", "(REVERSE FROM) UTF-8 ALL", "(SIZE) UTF-8 ALL",
    "(REVERSE SIZE) UTF-8 ALL", "(SUBJECT) UTF-8 ALL", "(REVERSE SUBJECT) UTF-8 ALL",
    "(TO) UTF-8 ALL", "(REVERSE TO) UTF-8 ALL", "(DISPLAYFROM) UTF-8 ALL",
    "(REVERSE DISPLAYFROM) UTF-8 ALL", "(DISPLAYTO) UTF-8 ALL", "(REVERSE DISPLAYTO) UTF-8 ALL",
    "(SUBJECT DATE) UTF-8 ALL", "(FROM REVERSE SIZE) UTF-8 SEEN", "(SUBJECT) US-ASCII UNDELETED",
    "(DATE ARRIVAL) UTF-8 OR FLAGGED KEYWORD $Work",
]


def test_sort_capabilities(courriel, dovecot):
    for client in (courriel, dovecot):
        _, tagged = client.ok("CAPABILITY")
        caps = client.raw[0].decode().split()
        assert "SORT" in caps and "SORT=DISPLAY" in caps, caps


@pytest.mark.parametrize("text", SORTS)
def test_sort_same_as_dovecot(courriel, dovecot, text):
    c = sort_result(courriel, "SORT " + text)
    d = sort_result(dovecot, "SORT " + text)
    assert c == d, f"SORT {text}:\n  Courriel {c}\n  Dovecot  {d}"


def test_uid_sort_same_as_dovecot(courriel, dovecot):
    c = sort_result(courriel, "UID SORT (REVERSE SUBJECT) UTF-8 UID 5:25")
    d = sort_result(dovecot, "UID SORT (REVERSE SUBJECT) UTF-8 UID 5:25")
    assert c == d


# ---------------------------------------------------------------------------
# THREAD (RFC 5256)


def _thread_caps(client):
    client.ok("CAPABILITY")
    return [c[len("THREAD="):] for c in client.raw[0].decode().upper().split()
            if c.startswith("THREAD=")]


def thread_result(client, text):
    st, responses, tagged = _run(client, text)
    if st != "OK":
        return (st, tagged)
    lines = [r for r in client.raw if r.upper().startswith(b"* THREAD")]
    assert len(lines) == 1, client.raw
    return parse(lines[0][len(b"* THREAD"):])


@pytest.mark.parametrize("algo", ["ORDEREDSUBJECT", "REFERENCES"])
@pytest.mark.parametrize("crit", ["ALL", "UNDELETED", "SUBJECT hello"])
def test_thread_same_as_dovecot(courriel, dovecot, algo, crit):
    if algo not in _thread_caps(courriel):
        pytest.skip(f"Courriel does not advertise THREAD={algo} in CAPABILITY")
    assert algo in _thread_caps(dovecot)
    c = thread_result(courriel, f"THREAD {algo} UTF-8 {crit}")
    d = thread_result(dovecot, f"THREAD {algo} UTF-8 {crit}")
    assert c == d, f"THREAD {algo} UTF-8 {crit}:\n  Courriel {c}\n  Dovecot  {d}"


def test_non_ascii_and_decoded_matches_are_not_empty(courriel):
    """Guards the comparison against both servers agreeing on "nothing":
    case-insensitive non-ASCII (é/É), encoded-word subjects, and words that
    only exist after base64 / quoted-printable decoding must match."""
    def s(text, *lits):
        st, nums = search_result(courriel, "SEARCH " + text, *lits)
        assert st == "OK", (text, nums)
        return nums
    cafe = s(U + "SUBJECT {}", "café")
    assert cafe and cafe == s(U + "SUBJECT {}", "CAFÉ")
    assert 13 in cafe  # =?UTF-8?Q?Caf=C3=A9_cr=C3=A8me?= (encoded word)
    ete = s(U + "SUBJECT {}", "été")
    assert 6 in ete and 14 in ete and ete == s(U + "SUBJECT {}", "ÉTÉ")
    assert s(U + "SUBJECT {}", "привет") == s(U + "SUBJECT {}", "ПРИВЕТ") == [20]
    # "élan" is in the bodies of i = 1, 2, 3 (mod 8) ...; i=1 is QP ISO-8859-1,
    # i=3 is a QP part of a multipart, i=0 mod 4 are base64
    elan = s(U + "BODY {}", "élan")
    assert elan == s(U + "BODY {}", "ÉLAN") and len(elan) >= 8, elan
    assert s("BODY secretword")
    assert s("CHARSET ISO-8859-1 SUBJECT {}", "caf\xe9".encode("latin-1")) == cafe
