"""Raw-socket protocol tests: pipelining, literals, limits, garbage, states,
ID/ENABLE, LOGOUT, and a bounded random fuzz."""

import random
import re
import socket
import ssl

import pytest

from conftest import ConnectionClosed, caps_of

BAD = re.compile(r"^(\S+) BAD\b")


def assert_alive(c, tag="zz"):
    _, tagged = c.command(tag, "NOOP")
    assert tagged == f"{tag} OK NOOP completed" or tagged.startswith(f"{tag} OK"), tagged


def test_greeting(server):
    with server.raw() as c:
        assert c.greeting.startswith("* OK [CAPABILITY "), c.greeting
        assert c.greeting.endswith("] Courriel ready."), c.greeting
        caps = caps_of(c.greeting)
        assert "IMAP4rev1" in caps
        for cap in ("STARTTLS", "AUTH=PLAIN", "AUTH=SCRAM-SHA-256", "SASL-IR", "LITERAL+",
                    "ID", "ENABLE"):
            assert cap in caps, (cap, caps)
        assert "LOGINDISABLED" not in caps


def test_greeting_on_implicit_tls(server):
    with server.raw(tls=True) as c:
        assert c.greeting.startswith("* OK [CAPABILITY "), c.greeting
        caps = caps_of(c.greeting)
        assert "STARTTLS" not in caps
        assert "AUTH=PLAIN" in caps


def test_pipelined_commands_answered_in_order(server):
    with server.raw() as c:
        c.send("a NOOP\r\nb CAPABILITY\r\nc NOOP\r\n")
        lines = [c.readline() for _ in range(4)]
        assert lines[0].startswith("a OK"), lines
        assert lines[1].startswith("* CAPABILITY IMAP4rev1"), lines
        assert lines[2].startswith("b OK"), lines
        assert lines[3].startswith("c OK"), lines


def test_pipelined_after_login(server):
    with server.raw() as c:
        c.send("a LOGIN demo demo\r\nb NOOP\r\nc ENABLE IMAP4rev2\r\nd NOOP\r\n")
        _, t = c.read_until_tagged("a")
        assert t.startswith("a OK"), t
        _, t = c.read_until_tagged("b")
        assert t.startswith("b OK"), t
        _, t = c.read_until_tagged("c")
        assert t.startswith("c OK"), t
        _, t = c.read_until_tagged("d")
        assert t.startswith("d OK"), t


def test_synchronising_literal_login(server):
    with server.raw() as c:
        c.send("a LOGIN {4}\r\n")
        line = c.readline()
        assert line.startswith("+ ") or line == "+", line
        c.send("demo {4}\r\n")
        line = c.readline()
        assert line.startswith("+"), line
        c.send("demo\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a OK [CAPABILITY "), tagged


def test_non_synchronising_literal_login(server):
    with server.raw() as c:
        c.send("a LOGIN {4+}\r\ndemo {4+}\r\ndemo\r\n")
        untagged, tagged = c.read_until_tagged("a")
        assert not any(l.startswith("+") for l in untagged), untagged
        assert tagged.startswith("a OK [CAPABILITY "), tagged


def test_literal_with_special_characters(server):
    """A literal carries bytes that no quoted string could (here: a password
    that does not match, so we expect the authentication failure, not BAD)."""
    with server.raw() as c:
        c.send('a LOGIN demo {5+}\r\nd"\\\r\n\r\n')
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a NO [AUTHENTICATIONFAILED]"), tagged


def test_quoted_strings_login(server):
    with server.raw() as c:
        _, tagged = c.command("a", 'LOGIN "demo" "demo"')
        assert tagged.startswith("a OK"), tagged


def test_overlong_line(server):
    with server.raw() as c:
        c.send(b"a " + b"x" * 100_000 + b"\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a BAD"), tagged
        assert_alive(c, "x")


def test_overlong_line_split_in_chunks(server):
    with server.raw() as c:
        c.send(b"a LOGIN ")
        for _ in range(20):
            c.send(b"y" * 8192)
        c.send(b"\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a BAD"), tagged
        assert_alive(c, "x")


def test_too_big_synchronising_literal(server):
    with server.raw() as c:
        c.send("a LOGIN {1000000}\r\n")
        line = c.readline()
        assert line.startswith("a BAD [TOOBIG]"), line
        assert_alive(c, "x")


def test_too_big_non_synchronising_literal(server):
    with server.raw() as c:
        c.send(b"a LOGIN {200000+}\r\n" + b"z" * 200_000 + b" demo\r\n")
        line = c.readline()
        assert line.startswith("a BAD [TOOBIG]"), line
        assert_alive(c, "x")
        _, tagged = c.command("l", "LOGIN demo demo")
        assert tagged.startswith("l OK"), tagged


GARBAGE = [
    pytest.param(b"\x00\x00\x00\r\n", id="nul-bytes"),
    pytest.param(b"a\x00 NOOP\r\n", id="nul-in-tag"),
    pytest.param(b"a NO\x00OP\r\n", id="nul-in-command"),
    pytest.param(b"\xff\xfe\xfd NOOP\r\n", id="8bit-tag"),
    pytest.param(b"a N\xe9OOP\r\n", id="8bit-command"),
    pytest.param(b"a NOOP\rb\r\n", id="lone-cr"),
    pytest.param(b"\r\n", id="empty-line"),
    pytest.param(b" \r\n", id="space-line"),
    pytest.param(b"* NOOP\r\n", id="star-tag"),
    pytest.param(b"+ NOOP\r\n", id="plus-tag"),
    pytest.param(b"a\r\n", id="tag-only"),
    pytest.param(b"a  NOOP\r\n", id="double-space"),
    pytest.param(b"a NOOP extra\r\n", id="noop-with-args"),
    pytest.param(b"a LOGIN (demo demo\r\n", id="unbalanced-open-paren"),
    pytest.param(b"a LOGIN demo) demo\r\n", id="unbalanced-close-paren"),
    pytest.param(b'a ID ("name" "x"\r\n', id="id-unclosed"),
    pytest.param(b'a ID (("name" "x"))\r\n', id="id-nested"),
    pytest.param(b'a LOGIN "demo demo\r\n', id="unterminated-quote"),
    pytest.param(b"a LOGIN {abc}\r\n", id="bad-literal-length"),
    pytest.param(b"a LOGIN demo\r\n", id="missing-argument"),
    pytest.param(b"a FOOBAR\r\n", id="unknown-command"),
    pytest.param(b"a ENABLE IMAP4rev2\r\n", id="enable-before-login"),
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_gets_bad_and_connection_survives(server, garbage):
    with server.raw() as c:
        c.send(garbage)
        line = c.readline()
        assert BAD.match(line), (garbage, line)
        assert_alive(c, "x")


def test_unknown_command_named(server):
    with server.raw() as c:
        _, tagged = c.command("a", "FROBNICATE")
        assert tagged == "a BAD Unknown command FROBNICATE", tagged


# Commands of later issues: BAD naming the command until they exist.
@pytest.mark.parametrize("cmd", ["GETACL INBOX", "MYRIGHTS INBOX", "COMPRESS DEFLATE"])
def test_not_yet_implemented_commands(server, cmd):
    with server.raw() as c:
        _, tagged = c.command("l", "LOGIN demo demo")
        assert tagged.startswith("l OK"), tagged
        _, tagged = c.command("a", cmd)
        name = cmd.split()[0]
        assert tagged.startswith("a BAD") and name in tagged, tagged
        assert_alive(c, "x")


def test_wrong_state_commands(server):
    with server.raw() as c:
        _, tagged = c.command("e", "ENABLE IMAP4rev2")
        assert tagged.startswith("e BAD") and "ENABLE" in tagged, tagged
        _, tagged = c.command("l", "LOGIN demo demo")
        assert tagged.startswith("l OK"), tagged
        _, tagged = c.command("l2", "LOGIN demo demo")
        assert tagged.startswith("l2 BAD") and "LOGIN" in tagged, tagged
        _, tagged = c.command("a2", "AUTHENTICATE PLAIN AGRlbW8AZGVtbw==")
        assert tagged.startswith("a2 BAD"), tagged
        _, tagged = c.command("s", "STARTTLS")
        assert tagged.startswith("s BAD"), tagged
        assert_alive(c, "x")


def test_id(server):
    with server.raw() as c:
        untagged, tagged = c.command("i", 'ID ("name" "e2e-test" "version" "1")')
        assert tagged.startswith("i OK"), tagged
        ids = [l for l in untagged if l.startswith("* ID (")]
        assert len(ids) == 1, untagged
        assert '"name" "Courriel"' in ids[0], ids[0]
        untagged, tagged = c.command("j", "ID NIL")
        assert tagged.startswith("j OK")
        assert any(l.startswith("* ID (") and '"name" "Courriel"' in l for l in untagged)


def test_id_with_imaplib(server):
    m = server.imap()
    try:
        m.login("demo", "demo")
        typ, data = m.xatom("ID", "NIL")
        assert typ == "OK"
        typ, data = m._untagged_response(typ, data, "ID")
        assert b'"name" "Courriel"' in data[0], data
    finally:
        m.logout()


def test_enable_after_login(server):
    with server.raw() as c:
        _, tagged = c.command("l", "LOGIN demo demo")
        assert tagged.startswith("l OK"), tagged
        untagged, tagged = c.command("e", "ENABLE CONDSTORE")
        assert tagged.startswith("e OK"), tagged
        enabled = [l for l in untagged if l == "* ENABLED" or l.startswith("* ENABLED ")]
        assert len(enabled) == 1, untagged
        # Nothing that is not advertised may be reported as enabled.
        caps = caps_of(c.command("c", "CAPABILITY")[0][0])
        for ext in enabled[0].split()[2:]:
            assert ext in caps, (ext, caps)


def test_enable_with_imaplib(server):
    m = server.imap()
    try:
        m.login("demo", "demo")
        typ, data = m.enable("X-NOTHING")
        assert typ == "OK"
    finally:
        m.logout()


def test_logout(server):
    with server.raw() as c:
        c.send("q LOGOUT\r\n")
        assert c.readline().startswith("* BYE"), "expected * BYE first"
        tagged = c.readline()
        assert tagged.startswith("q OK"), tagged
        assert c.expect_closed(timeout=3) == []


def test_logout_after_login_over_tls(server):
    with server.raw(tls=True) as c:
        _, tagged = c.command("l", "LOGIN demo demo")
        assert tagged.startswith("l OK")
        c.send("q LOGOUT\r\n")
        assert c.readline().startswith("* BYE")
        assert c.readline().startswith("q OK")
        assert c.expect_closed(timeout=3) == []


def test_pipelined_after_logout_ignored(server):
    with server.raw() as c:
        c.send("q LOGOUT\r\nr NOOP\r\n")
        assert c.readline().startswith("* BYE")
        assert c.readline().startswith("q OK")
        rest = c.expect_closed(timeout=3)
        assert not any(l.startswith("r ") for l in rest), rest


def random_line(rng):
    kind = rng.random()
    alphabet = (b"abcXYZ019 ()[]{}<>\"\\*+%~.-:=,\x00\x01\x7f\x80\xc3\xa9\xff\r\n"
                b"NOOP LOGIN AUTHENTICATE ID ENABLE CAPABILITY STARTTLS SELECT ")
    if kind < 0.3:
        n = rng.randrange(0, 200)
        return bytes(rng.randrange(256) for _ in range(n)) + b"\r\n"
    if kind < 0.8:
        n = rng.randrange(0, 120)
        return bytes(rng.choice(alphabet) for _ in range(n)) + b"\r\n"
    # mutate a valid command
    base = rng.choice([b'a LOGIN demo demo', b'b ID ("name" "x")', b'c ENABLE X',
                       b'd AUTHENTICATE PLAIN AGRlbW8AZGVtbw==', b'e CAPABILITY',
                       b'f LOGIN {4+}\r\ndemo {4+}\r\ndemo', b'g SELECT INBOX'])
    b = bytearray(base)
    for _ in range(rng.randrange(1, 4)):
        i = rng.randrange(len(b) + 1)
        op = rng.randrange(3)
        if op == 0 and len(b) > 0 and i < len(b):
            del b[i]
        elif op == 1:
            b.insert(i, rng.randrange(256))
        elif i < len(b):
            b[i] = rng.choice(alphabet)
    return bytes(b) + b"\r\n"


def drain(sock):
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
    except (BlockingIOError, ssl.SSLWantReadError):
        pass
    finally:
        sock.setblocking(True)


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
def test_random_fuzz_does_not_kill_server(server, tls):
    rng = random.Random(20261125 + tls)
    c = server.raw(tls=tls)
    sent = 0
    try:
        for _ in range(200):
            line = random_line(rng)
            try:
                c.send(line)
                sent += 1
                drain(c.sock)
            except (OSError, ConnectionClosed):
                # The server may legitimately close (LOGOUT, too many failures).
                c.close()
                c = server.raw(tls=tls)
    finally:
        c.close()
    assert sent > 0
    assert server.running, server.stderr()[-4000:]
    with server.raw() as c2:
        assert c2.greeting.startswith("* OK")
        _, tagged = c2.command("l", "LOGIN demo demo")
        assert tagged.startswith("l OK"), tagged


def test_many_connections(server):
    conns = [server.raw() for _ in range(30)]
    try:
        for i, c in enumerate(conns):
            c.send(f"t{i} NOOP\r\n")
        for i, c in enumerate(conns):
            _, tagged = c.read_until_tagged(f"t{i}")
            assert tagged.startswith(f"t{i} OK")
    finally:
        for c in conns:
            c.close()


def test_abrupt_disconnect_mid_literal(server):
    c = server.raw()
    c.send("a LOGIN {10}\r\n")
    assert c.readline().startswith("+")
    c.send("dem")
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    c.close()  # RST
    with server.raw() as c2:
        assert_alive(c2)


def test_starttls_discards_pipelined_plaintext(server):
    """RFC 9051 6.2.1 / RFC 3207 5: commands sent after STARTTLS in the same
    packet must not be executed (STARTTLS command injection)."""
    import conftest

    with server.raw() as c:
        c.send("s STARTTLS\r\nn LOGIN demo demo\r\n")
        line = c.readline()
        assert line.startswith("s OK"), line
        assert c.buf == b"", c.buf
        c.sock = conftest.insecure_context().wrap_socket(c.sock, server_hostname="localhost")
        untagged, tagged = c.command("x", "NOOP")
        assert tagged.startswith("x OK"), tagged
        assert not any(l.startswith("n ") for l in untagged), untagged
        # Still not authenticated: the injected LOGIN was not executed.
        _, tagged = c.command("e", "ENABLE CONDSTORE")
        assert tagged.startswith("e BAD"), tagged


def test_plain_authzid_other_user_refused(server):
    from conftest import b64

    with server.raw() as c:
        _, tagged = c.command("a", "AUTHENTICATE PLAIN " + b64("admin\0demo\0demo"))
        assert tagged.startswith("a NO"), tagged
        _, tagged = c.command("e", "ENABLE CONDSTORE")
        assert tagged.startswith("e BAD"), tagged


def test_literal_size_limit_boundary(make_server):
    s = make_server({"imap": {"max_literal_size": 2048, "max_line_length": 1024}})
    with s.raw() as c:
        # Exactly max_literal_size is accepted (wrong password -> NO, not BAD).
        c.send(b"a LOGIN demo {2048+}\r\n" + b"p" * 2048 + b"\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a NO [AUTHENTICATIONFAILED]"), tagged
        c.send("b LOGIN demo {2049}\r\n")
        line = c.readline()
        assert line.startswith("b BAD [TOOBIG]"), line
        # A literal does not count towards the line length.
        c.send(b"c LOGIN {4+}\r\ndemo {2000+}\r\n" + b"q" * 2000 + b"\r\n")
        _, tagged = c.read_until_tagged("c")
        assert tagged.startswith("c NO [AUTHENTICATIONFAILED]"), tagged
        # A line under the limit is fine, over it is BAD.
        _, tagged = c.command("d", "ID (\"x\" \"" + "y" * 900 + "\")")
        assert tagged.startswith("d OK") or tagged.startswith("d BAD"), tagged
        _, tagged = c.command("e", "LOGIN demo " + "z" * 1100)
        assert tagged.startswith("e BAD"), tagged
        _, tagged = c.command("f", "LOGIN demo demo")
        assert tagged.startswith("f OK"), tagged


def test_synchronising_literal_in_pieces(server):
    with server.raw() as c:
        c.send("a LOGIN {4}\r\n")
        assert c.readline().startswith("+")
        c.send("de")
        c.send("mo")
        c.send(" {4}\r")
        c.send("\n")
        assert c.readline().startswith("+")
        c.send("demo\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a OK"), tagged


def test_half_close_after_command(server):
    with server.raw() as c:
        c.send("a NOOP\r\n")
        c.sock.shutdown(socket.SHUT_WR)
        lines = c.expect_closed(timeout=5)
        assert any(l.startswith("a OK") for l in lines), lines
    with server.raw() as c2:
        assert_alive(c2)


@pytest.mark.parametrize("tag", ["a+b", "a{b", "a%b", "a*b", 'a"b', "a(b", "a)b", "a\\b"])
def test_invalid_tag_characters(server, tag):
    """tag = 1*<any ASTRING-CHAR except "+"> (RFC 3501/9051 formal syntax)."""
    with server.raw() as c:
        c.send(f"{tag} NOOP\r\n")
        line = c.readline()
        assert BAD.match(line), line
        assert not line.startswith(tag + " OK"), line
        assert_alive(c)


@pytest.mark.parametrize("tag", ["A1", "a]b", "0", "tag.with-dots_and:colons", "x" * 64])
def test_valid_unusual_tags(server, tag):
    with server.raw() as c:
        _, tagged = c.command(tag, "NOOP")
        assert tagged.startswith(tag + " OK"), tagged


@pytest.mark.parametrize("text", ["noop", "NoOp", "capability"])
def test_command_names_case_insensitive(server, text):
    with server.raw() as c:
        _, tagged = c.command("a", text)
        assert tagged.startswith("a OK"), tagged


@pytest.mark.parametrize("text", ["NOOP ", "CAPABILITY x", "STARTTLS now", "LOGOUT please",
                                  "ID", 'ID ("name")', "LOGIN", "AUTHENTICATE"])
def test_bad_arguments(server, text):
    with server.raw() as c:
        _, tagged = c.command("a", text)
        assert tagged.startswith("a BAD"), tagged
        assert_alive(c)


def test_enable_without_argument_and_id_forms(server):
    with server.raw() as c:
        for tag, args in (("i1", "ID NIL"), ("i2", "ID ()"), ("i3", 'ID ("name" NIL)'),
                          ("i4", 'ID ("NAME" "x" "os" "linux")')):
            untagged, tagged = c.command(tag, args)
            assert tagged.startswith(tag + " OK"), tagged
            assert any(l.startswith("* ID (") for l in untagged), untagged
        _, tagged = c.command("l", "LOGIN demo@localhost demo")
        assert tagged.startswith("l OK"), tagged
        _, tagged = c.command("e", "ENABLE")
        assert tagged.startswith("e BAD"), tagged
        untagged, tagged = c.command("f", "ENABLE condstore utf8=accept")
        assert tagged.startswith("f OK"), tagged
        assert any(l.startswith("* ENABLED") for l in untagged), untagged
