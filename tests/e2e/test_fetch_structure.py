"""FETCH of MIME structure and sections: Courriel compared with Dovecot on a
corpus of hard messages (tests/e2e/corpus/*.eml, CRLF), plus Courriel-only
checks (partials, BINARY, UNKNOWN-CTE, \\Seen, 200-message BODYSTRUCTURE).

The comparison starts a private Dovecot (dc_dovecot.py) and is skipped when
Dovecot is not installed.  Normalisations applied before comparing (all
places where RFC 3501/9051 leave room; details in dc_compare.py):

 1. type / subtype / Content-Transfer-Encoding case ("7BIT" vs "7bit"):
    MIME tokens are case-insensitive, RFC 2045 §5.1 and §6.1.
 2. parameter names lower-cased, charset value lower-cased (RFC 2045 §5.1,
    RFC 2046 §4.1.2), parameters compared as an unordered set.
 3. defaulted parameters: a text/* part without charset gets
    ("charset" "us-ascii"), the RFC 2045 §5.2 default; Dovecot always
    lists it, Courriel only when Content-Type is absent altogether.
 4. RFC 2231 parameters: RFC 9051 §7.5.2 says servers SHOULD decode them;
    Dovecot returns "name*" with the raw charset'lang'%XX value, Courriel
    the decoded UTF-8 under "name": both reduced to (name, UTF-8 value).
 5. body-fld-lang: "de-CH" and ("de-CH") are both allowed by the RFC 3501
    grammar (nstring / list) -> compared as a list; tags case-insensitive
    (RFC 5646 §2.1.1).
 6. body-fld-lines of a part whose content does not end in CRLF (the last
    CRLF before a boundary belongs to the delimiter, RFC 2046 §5.1.1):
    Courriel counts the partial last line, Dovecot does not; RFC 3501 only
    says "size of the body in text lines".  Allowed only in that case
    (Courriel = Dovecot + 1 and the content does not end with CRLF);
    everywhere else the counts must be equal.
 7. addr-mailbox of a quoted local part: Courriel returns the RFC 5322
    quoted-string ("\\"john.smith\\""), Dovecot the unquoted content;
    RFC 3501 §7.4.2 only says "what precedes the @" -> unquoted before
    comparing.
 8. unfolding (RFC 5322 §2.2.3) removes CRLF only; Dovecot turns the
    folding TAB into a SP, Courriel keeps it -> TAB read as SP in ENVELOPE.
 9. string vs literal vs quoted: the parsed value is compared, not the
    wire form (RFC 3501 §4.3: any string form is the same string).
10. BINARY of a multipart part is not defined by RFC 3516 (Dovecot
    re-encodes the sub-parts, Courriel may return NIL): not compared, but
    BINARY.SIZE must be a number.  BINARY of a 7bit message/rfc822 part:
    Dovecot also decodes the parts inside it, RFC 3516 removes only the
    section's own (identity) CTE -> Courriel checked against its BODY[].
11. Dovecot answers NO [UNKNOWN-CTE] to BINARY.SIZE of a 7bit part whose
    sibling is x-uuencode (Dovecot bug) -> checked against Courriel's own
    BINARY there.
12. A message without the header/body blank line: RFC 3501 §6.4.5 says no
    blank line in header fetches then; Dovecot adds one to HEADER.FIELDS
    but not to HEADER.FIELDS.NOT -> compared without it, and
    test_no_blank_line_header_fields checks the RFC rule on Courriel.
Everything else (section bytes, RFC822.SIZE, BINARY.SIZE, NO/BAD status and
response code, NIL vs "" in ENVELOPE and BODYSTRUCTURE, MISSING_DOMAIN) is
compared strictly.
"""

import re

import pytest

import dc_dovecot
from dc_compare import (INTERNALDATE, body_lines, corpus_files, fetch_one, norm_body,
                        norm_env, part_paths, show)
from msg_imap import Imap, fetches, new_user, parse

FILES = corpus_files()
NAMES = [f.name for f in FILES]


def _fill(client, files):
    for f in files:
        _, tagged = client.cmd(f'APPEND INBOX "{INTERNALDATE}" {{}}', f.read_bytes())
        assert tagged.split(" ", 2)[1] == "OK", (f.name, tagged)
    client.select("INBOX")


@pytest.fixture(scope="module")
def courriel(shared_server):
    user = new_user(shared_server, "fs")
    c = Imap(shared_server, user, "secret")
    _fill(c, FILES)
    yield c
    c.close()


@pytest.fixture(scope="module")
def dovecot():
    if not dc_dovecot.available():
        pytest.skip(f"Dovecot is not installed ({dc_dovecot.DOVECOT_BIN})")
    d = dc_dovecot.Dovecot().start()
    try:
        c = Imap(d, dc_dovecot.USER, dc_dovecot.PASSWORD)
        _fill(c, FILES)
        yield c
        c.close()
    finally:
        d.stop()


def _items_for(bs):
    """The FETCH items compared for a message with BODYSTRUCTURE bs."""
    items = ["ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822.SIZE", "BODY.PEEK[]",
             "BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]", "BODY.PEEK[1]", "BODY.PEEK[1.MIME]",
             "BODY.PEEK[HEADER.FIELDS (From Subject X-After)]",
             "BODY.PEEK[HEADER.FIELDS.NOT (From Subject Date)]", "RFC822.HEADER",
             "BODY.PEEK[TEXT]<5.20>"]
    for path, kind, _ in part_paths(bs):
        for it in (f"BODY.PEEK[{path}]", f"BODY.PEEK[{path}.MIME]"):
            if it not in items:
                items.append(it)
        if kind == "message":
            items += [f"BODY.PEEK[{path}.HEADER]", f"BODY.PEEK[{path}.TEXT]",
                      f"BODY.PEEK[{path}.HEADER.FIELDS (Subject From)]"]
        for it in (f"BINARY.SIZE[{path}]", f"BINARY.PEEK[{path}]"):
            if it not in items:
                items.append(it)
    return items


KNOWN_CTES = (b"7bit", b"8bit", b"binary", b"base64", b"quoted-printable")


def _binary_check(it, info, courriel, seq, cs, cv, ds, dv):
    """BINARY / BINARY.SIZE of one part.  Returns (handled, diffs).

    10. BINARY of a multipart part: RFC 3516 does not define what decoding
        a multipart means (Dovecot re-encodes the sub-parts to binary,
        Courriel returns NIL), so the value is not compared with Dovecot.
        But BINARY.SIZE must still be a number (RFC 3516 §4.3 and the
        RFC 9051 grammar: "BINARY.SIZE" section-binary SP number).
        BINARY of a message/rfc822 part: Dovecot decodes the parts inside
        it; RFC 3516 removes only the section's own CTE, so with 7bit/8bit/
        binary Courriel's BINARY must equal its BODY[section].
    11. Dovecot 2.3 answers NO [UNKNOWN-CTE] to BINARY.SIZE of a 7bit part
        when a sibling part has an unknown CTE (a Dovecot bug): there the
        Courriel value is checked against its own BINARY instead.
    """
    m = re.match(r"BINARY(?:\.PEEK|\.SIZE)\[([0-9.]*)\]$", it)
    if not m:
        return False, []
    kind, cte = info.get(m.group(1), (None, None))
    size = it.startswith("BINARY.SIZE")
    if kind == "multipart":
        if size and not (cs == "OK" and isinstance(cv, bytes) and cv.isdigit()):
            return True, [f"{it} (multipart part): BINARY.SIZE must be a number "
                          f"(RFC 3516 §4.3, RFC 9051 grammar)\n    Courriel {cs} {show(cv)}\n"
                          f"    Dovecot  {ds} {show(dv)}"]
        return True, []
    if kind == "message" and cte in (b"7bit", b"8bit", b"binary"):
        # Dovecot also decodes the encoded parts *inside* an encapsulated
        # message (and rewrites their CTE headers); RFC 3516 only removes
        # the section's own CTE, an identity for 7bit/8bit/binary.  So
        # Courriel's BINARY must equal its BODY of the same section.
        _, raw = fetch_one(courriel, seq, f"BODY.PEEK[{m.group(1)}]")
        want = str(len(raw)).encode() if size else raw
        if cs == "OK" and cv == want:
            return True, []
        return True, [f"{it} (message/rfc822, {cte.decode()}): must be BODY[{m.group(1)}] "
                      f"undecoded\n    Courriel {cs} {show(cv)}\n    expected {show(want)}"]
    if ds == "NO [UNKNOWN-CTE]" and cte in KNOWN_CTES:
        if not size:
            return True, []
        _, blob = fetch_one(courriel, seq, f"BINARY.PEEK[{m.group(1)}]")
        if cs == "OK" and isinstance(cv, bytes) and cv.isdigit() and int(cv) == len(blob or b""):
            return True, []
        return True, [f"{it}: Courriel {cs} {show(cv)} does not match its BINARY ({len(blob or b'')})"]
    return False, []


def _lines_ok(c_lines, d_lines, courriel, seq):
    """Normalisation 6: returns the list of line-count differences that are
    not explained by a final partial line."""
    bad = []
    for path in sorted(set(c_lines) | set(d_lines)):
        c, d = c_lines.get(path), d_lines.get(path)
        if c == d:
            continue
        if path.endswith(".sub"):
            section = path[:-4] + ".TEXT"
        else:
            section = path
        _, content = fetch_one(courriel, seq, f"BODY.PEEK[{section}]")
        if not (c is not None and d is not None and c == d + 1 and isinstance(content, bytes)
                and content and not content.endswith(b"\r\n")):
            bad.append((path, c, d))
    return bad


@pytest.mark.parametrize("name", NAMES)
def test_same_as_dovecot(courriel, dovecot, name):
    seq = NAMES.index(name) + 1
    _, c_bs = fetch_one(courriel, seq, "BODYSTRUCTURE")
    _, d_bs = fetch_one(dovecot, seq, "BODYSTRUCTURE")
    items = _items_for(c_bs)
    for it in _items_for(d_bs):
        if it not in items:
            items.append(it)
    info = {p: (k, e) for p, k, e in part_paths(c_bs)}
    _, c_head = fetch_one(courriel, seq, "BODY.PEEK[HEADER]")
    diffs = []
    for it in items:
        cs, cv = fetch_one(courriel, seq, it)
        ds, dv = fetch_one(dovecot, seq, it)
        handled, more = _binary_check(it, info, courriel, seq, cs, cv, ds, dv)
        diffs += more
        if handled:
            continue
        if "HEADER.FIELDS" in it and not c_head.endswith(b"\r\n\r\n"):
            # 12. A message with no blank line after its header: RFC 3501
            #     §6.4.5 says the blank line is then not included, and
            #     Dovecot adds it to HEADER.FIELDS but not to
            #     HEADER.FIELDS.NOT.  Compared without a trailing blank line
            #     here; test_no_blank_line_header_fields checks the RFC rule.
            cv = cv[:-2] if isinstance(cv, bytes) and cv.endswith(b"\r\n\r\n") else cv
            dv = dv[:-2] if isinstance(dv, bytes) and dv.endswith(b"\r\n\r\n") else dv
        if it in ("BODYSTRUCTURE", "BODY"):
            cn, dn = norm_body(cv), norm_body(dv)
            if cs == ds == "OK":
                for path, c, d in _lines_ok(body_lines(cv), body_lines(dv), courriel, seq):
                    diffs.append(f"{it} lines of part {path}: Courriel {c}, Dovecot {d}")
        elif it == "ENVELOPE":
            cn, dn = norm_env(cv), norm_env(dv)
        else:
            cn, dn = cv, dv
        if cs != ds or cn != dn:
            diffs.append(f"{it}:\n    Courriel {cs} {show(cv)}\n    Dovecot  {ds} {show(dv)}")
    assert not diffs, f"{name}: {len(diffs)} difference(s) with Dovecot:\n  " + "\n  ".join(diffs)


# ---------------------------------------------------------------------------
# Courriel only


def _seq(name):
    return NAMES.index(name) + 1


def test_no_blank_line_header_fields(courriel):
    """RFC 3501 §6.4.5: "the blank line is included in all header fetches,
    except in the case of a message which has no body and no blank line"."""
    seq = _seq("08_headers_only.eml")
    for it in ("BODY.PEEK[HEADER]", "BODY.PEEK[HEADER.FIELDS (To)]",
               "BODY.PEEK[HEADER.FIELDS.NOT (To)]", "RFC822.HEADER"):
        st, v = fetch_one(courriel, seq, it)
        assert st == "OK" and v.endswith(b"\r\n") and not v.endswith(b"\r\n\r\n"), (it, v)


def test_binary_size_is_number_for_every_part(courriel):
    """BINARY.SIZE section-binary SP number (RFC 3516 §4.3, RFC 9051 §9),
    also for multipart and message/rfc822 parts, and equal to the size of
    what BINARY returns when that is a string."""
    bad = []
    for name in NAMES:
        seq = _seq(name)
        _, bs = fetch_one(courriel, seq, "BODYSTRUCTURE")
        for path, kind, cte in part_paths(bs):
            if cte not in KNOWN_CTES and kind != "multipart":
                continue
            st, v = fetch_one(courriel, seq, f"BINARY.SIZE[{path}]")
            _, blob = fetch_one(courriel, seq, f"BINARY.PEEK[{path}]")
            if not (st == "OK" and isinstance(v, bytes) and v.isdigit()):
                bad.append(f"{name} BINARY.SIZE[{path}] ({kind}): {st} {v!r}")
            elif isinstance(blob, bytes) and int(v) != len(blob):
                bad.append(f"{name} BINARY.SIZE[{path}] = {int(v)} but BINARY has {len(blob)}")
    assert not bad, "\n".join(bad)


def test_partial_fetch_of_sections(courriel):
    seq = _seq("02_rfc822_multipart.eml")
    _, whole = fetch_one(courriel, seq, "BODY.PEEK[2.2]")
    assert whole.startswith(b"AAECAwQF"), whole
    r = courriel.fetch(seq, "(BODY.PEEK[2.2]<4.10> BODY.PEEK[2.HEADER]<0.6> BODY.PEEK[1]<1000.5>)")
    d = r[seq]
    assert d["BODY[2.2]<4>"] == whole[4:14]
    assert d["BODY[2.HEADER]<0>"] == b"From: "
    # a partial starting past the end is an empty string (RFC 3501 §6.4.5)
    assert d["BODY[1]<1000>"] == b""
    r = courriel.fetch(seq, "(BINARY.PEEK[2.2]<2.5>)")
    assert r[seq]["BINARY[2.2]<2>"] == bytes(range(2, 7))


def test_binary_base64_decoded_with_nuls(courriel):
    seq = _seq("12_base64_qp.eml")
    blob = bytes([0, 1, 2, 0, 255, 254, 0, 10, 13, 0]) * 20
    courriel.ok(f"FETCH {seq} (BINARY.PEEK[2])")
    raw = courriel.raw[0]
    # NULs in the decoded content: literal8 ~{n} (RFC 3516 §4.2)
    assert re.search(rb"BINARY\[2\] ~\{%d\}\r\n" % len(blob), raw), raw[:200]
    assert fetches([parse(raw)])[seq]["BINARY[2]"] == blob
    r = courriel.fetch(seq, "(BINARY.SIZE[2] BINARY.PEEK[3] BINARY.PEEK[1])")
    assert int(r[seq]["BINARY.SIZE[2]"]) == len(blob)
    assert r[seq]["BINARY[3]"] == "Élan vital — ça marche, ÉTÉ.\r\n".encode()
    assert r[seq]["BINARY[1]"].startswith(b"Caf\xe9 cr\xe8me br\xfbl\xe9e, a long line that is "
                                          b"soft-broken here and continues")
    # no NUL: an ordinary literal
    courriel.ok(f"FETCH {seq} (BINARY.PEEK[3])")
    assert b"~{" not in courriel.raw[0]


def test_binary_unknown_cte(courriel):
    seq = _seq("13_uuencode.eml")
    tagged = courriel.no(f"FETCH {seq} (BINARY.PEEK[2])")
    assert "[UNKNOWN-CTE]" in tagged, tagged
    tagged = courriel.no(f"FETCH {seq} (BINARY.SIZE[2])")
    assert "[UNKNOWN-CTE]" in tagged, tagged
    # BODY[] of the same part is fine
    st, v = fetch_one(courriel, seq, "BODY.PEEK[2]")
    assert st == "OK" and v.startswith(b"begin 644 hello.txt")


def test_missing_section_is_nil(courriel):
    seq = _seq("01_nested3.eml")
    r = courriel.fetch(seq, "(BODY.PEEK[99] BODY.PEEK[1.9.9] BODY.PEEK[99.MIME])")
    assert r[seq]["BODY[99]"] in (None, b""), r
    assert r[seq]["BODY[1.9.9]"] in (None, b""), r
    courriel.ok(f"FETCH {seq} (BODY.PEEK[99])")
    assert re.search(rb"BODY\[99\] (NIL|\"\")", courriel.raw[0]), courriel.raw[0]


def test_body_sets_seen_peek_does_not(shared_server):
    user = new_user(shared_server, "fsseen")
    with Imap(shared_server, user, "secret") as c:
        for f in FILES[:3]:
            c.append("INBOX", f.read_bytes(), date=INTERNALDATE)
        c.select("INBOX")
        c.ok("FETCH 1 (BODY.PEEK[] BODY.PEEK[TEXT] BINARY.PEEK[1] BODY.PEEK[1.MIME])")
        assert "\\Seen" not in c.fetch(1, "(FLAGS)")[1]["FLAGS"]
        r = c.fetch(1, "(BODY[])")
        assert "\\Seen" in r[1].get("FLAGS", []), r  # the FLAGS change is reported
        assert "\\Seen" in c.fetch(1, "(FLAGS)")[1]["FLAGS"]
        c.fetch(2, "(BODY[1])")
        assert "\\Seen" in c.fetch(2, "(FLAGS)")[2]["FLAGS"]
        c.fetch(3, "(BINARY[1])")
        assert "\\Seen" in c.fetch(3, "(FLAGS)")[3]["FLAGS"]
        # EXAMINE: read-only, BODY[] does not set \Seen
        c.ok("STORE 1:3 -FLAGS (\\Seen)")
        c.select("INBOX", examine=True)
        c.fetch(1, "(BODY[])")
        assert "\\Seen" not in c.fetch(1, "(FLAGS)")[1]["FLAGS"]


def test_bodystructure_of_200_messages(shared_server):
    user = new_user(shared_server, "fs200")
    msgs = [f.read_bytes() for f in FILES]
    with Imap(shared_server, user, "secret") as c:
        # pipelined LITERAL+ APPENDs
        data = b""
        for i in range(200):
            m = msgs[i % len(msgs)]
            data += b"a%d APPEND INBOX {%d+}\r\n" % (i, len(m)) + m + b"\r\n"
        c.send(data)
        for i in range(200):
            _, tagged = c.wait(f"a{i}")
            assert " OK" in tagged, tagged
        c.select("INBOX")
        r = c.fetch("1:*", "(UID BODYSTRUCTURE RFC822.SIZE)")
        assert sorted(r) == list(range(1, 201))
        first = {}
        for seq in range(1, 201):
            k = (seq - 1) % len(msgs)
            assert r[seq]["RFC822.SIZE"] == len(msgs[k])
            first.setdefault(k, r[seq]["BODYSTRUCTURE"])
            assert r[seq]["BODYSTRUCTURE"] == first[k], seq
