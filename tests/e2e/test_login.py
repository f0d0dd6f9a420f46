"""Logging in: TLS (STARTTLS and implicit), LOGIN failures and delays,
AUTHENTICATE PLAIN / SCRAM-SHA-256, the cleartext policy."""

import base64
import re
import time

import pytest

from conftest import b64, caps_of
from scram import ScramClient, scram_exchange

def close_quietly(m):
    """Logs out an imaplib connection unless it is already closed."""
    try:
        if m.state != "LOGOUT":
            m.logout()
    except Exception:
        pass


AUTH_FAILED = re.compile(r"^(\S+) NO \[AUTHENTICATIONFAILED\]")


# --------------------------------------------------------------------------
# 1. TLS
# --------------------------------------------------------------------------

def test_starttls_login_with_imaplib(server):
    import imaplib

    m = imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=10)
    try:
        assert "STARTTLS" in m.capabilities
        assert m.welcome.startswith(b"* OK [CAPABILITY ")
        assert m.welcome.endswith(b"Courriel ready.")
        typ, _ = m.starttls(ssl_context=__import__("conftest").insecure_context())
        assert typ == "OK"
        # imaplib re-reads CAPABILITY after STARTTLS (RFC 3501 6.2.1).
        assert "STARTTLS" not in m.capabilities
        assert "AUTH=PLAIN" in m.capabilities
        assert "LOGINDISABLED" not in m.capabilities
        typ, data = m.login("demo", "demo")
        assert typ == "OK"
        text = data[0].decode()
        assert text.startswith("[CAPABILITY ") and text.endswith("Logged in"), text
        caps = caps_of(text)
        assert "IMAP4rev1" in caps
        assert "STARTTLS" not in caps
        assert not any(c.startswith("AUTH=") for c in caps), caps
        typ, data = m.noop()
        assert typ == "OK"
        typ, data = m.logout()
        assert typ == "BYE"
    finally:
        close_quietly(m)


def test_implicit_tls_login_with_imaplib(server):
    m = server.imaps()
    try:
        assert m.welcome.startswith(b"* OK [CAPABILITY ")
        assert "STARTTLS" not in m.capabilities
        assert "AUTH=PLAIN" in m.capabilities
        assert "AUTH=SCRAM-SHA-256" in m.capabilities
        typ, data = m.login("demo", "demo")
        assert typ == "OK"
        assert data[0].decode().startswith("[CAPABILITY ")
        assert data[0].decode().endswith("Logged in")
        assert m.logout()[0] == "BYE"
    finally:
        close_quietly(m)


def test_raw_starttls_capabilities(server):
    with server.raw() as c:
        assert "STARTTLS" in caps_of(c.greeting)
        _, tagged = c.command("s", "STARTTLS")
        assert tagged.startswith("s OK"), tagged
        import conftest

        c.sock = conftest.insecure_context().wrap_socket(c.sock, server_hostname="localhost")
        untagged, tagged = c.command("c", "CAPABILITY")
        assert tagged == "c OK CAPABILITY completed" or tagged.startswith("c OK"), tagged
        assert len(untagged) == 1
        caps = caps_of(untagged[0])
        assert "STARTTLS" not in caps
        assert "LOGINDISABLED" not in caps
        # A second STARTTLS on a TLS connection is refused.
        _, tagged = c.command("s2", "STARTTLS")
        assert re.match(r"^s2 (BAD|NO) ", tagged), tagged
        _, tagged = c.command("l", "LOGIN demo demo")
        assert tagged.startswith("l OK [CAPABILITY "), tagged


def test_starttls_on_implicit_tls_port_refused(server):
    with server.raw(tls=True) as c:
        assert "STARTTLS" not in caps_of(c.greeting)
        _, tagged = c.command("s", "STARTTLS")
        assert re.match(r"^s (BAD|NO) ", tagged), tagged
        _, tagged = c.command("n", "NOOP")
        assert tagged.startswith("n OK")


# --------------------------------------------------------------------------
# 2. failed logins: response, growing delay, too many failures
# --------------------------------------------------------------------------

def timed(c, tag, text):
    t0 = time.monotonic()
    untagged, tagged = c.command(tag, text)
    return time.monotonic() - t0, untagged, tagged


def test_failed_login_delay_and_disconnect(make_server):
    s = make_server({"auth": {"failure_delay_ms": 150, "failure_delay_max_ms": 5000,
                              "max_failures_per_connection": 3}})
    with s.raw() as c:
        t1, _, wrong_pw = timed(c, "a1", "LOGIN demo wrongpassword")
        t2, _, unknown = timed(c, "a2", "LOGIN nosuchuser demo")
        assert AUTH_FAILED.match(wrong_pw), wrong_pw
        assert AUTH_FAILED.match(unknown), unknown
        # An unknown user is indistinguishable from a wrong password.
        assert wrong_pw.split(" ", 1)[1] == unknown.split(" ", 1)[1]
        assert t1 >= 0.12, t1
        assert t2 > t1 + 0.08, (t1, t2)  # 150 ms then 300 ms
        # The third failure reaches max_failures_per_connection: * BYE and close.
        c.send("a3 LOGIN demo stillwrong\r\n")
        lines = c.expect_closed(timeout=5)
        assert any(l.startswith("* BYE") for l in lines), lines
        tagged = [l for l in lines if l.startswith("a3 ")]
        assert all(AUTH_FAILED.match(l) for l in tagged), lines
    # The right password on a new connection still works...
    with s.raw() as c:
        _, tagged = c.command("ok", "LOGIN demo demo")
        assert tagged.startswith("ok OK [CAPABILITY "), tagged
    # ... and a success resets the delay to failure_delay_ms.
    with s.raw() as c:
        t, _, tagged = timed(c, "f", "LOGIN demo wrong")
        assert AUTH_FAILED.match(tagged), tagged
        assert t < 0.45, t


def test_failed_login_with_imaplib(server):
    import imaplib

    m = server.imap()
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            m.login("demo", "not-the-password")
        typ, _ = m.login("demo", "demo")
        assert typ == "OK"
    finally:
        close_quietly(m)


# --------------------------------------------------------------------------
# 3. AUTHENTICATE
# --------------------------------------------------------------------------

def test_authenticate_plain_sasl_ir(server):
    with server.raw() as c:
        assert "SASL-IR" in caps_of(c.greeting)
        _, tagged = c.command("a", "AUTHENTICATE PLAIN " + b64("\0demo\0demo"))
        assert tagged.startswith("a OK [CAPABILITY "), tagged
        assert tagged.endswith("Logged in")
        _, tagged = c.command("b", "NOOP")
        assert tagged.startswith("b OK")


def test_authenticate_plain_with_authzid_equal_to_user(server):
    with server.raw() as c:
        _, tagged = c.command("a", "AUTHENTICATE PLAIN " + b64("demo\0demo\0demo"))
        assert tagged.startswith("a OK"), tagged


def test_authenticate_plain_continuation(server):
    with server.raw() as c:
        c.send("a AUTHENTICATE PLAIN\r\n")
        line = c.readline()
        assert line.startswith("+"), line
        assert line[1:].strip() == "", line  # empty challenge
        c.send(b64("\0demo\0demo") + "\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a OK [CAPABILITY "), tagged


def test_authenticate_plain_wrong_password(server):
    with server.raw() as c:
        _, tagged = c.command("a", "AUTHENTICATE PLAIN " + b64("\0demo\0nope"))
        assert AUTH_FAILED.match(tagged), tagged
        assert tagged.startswith("a NO")


@pytest.mark.parametrize("bad", ["=AAA", "AAA=BBB", "ZGVtbw!!", "ZG Vt"])
def test_authenticate_invalid_base64_initial_response(server, bad):
    """RFC 9051 6.2.2: invalid base64 in the initial response -> tagged BAD."""
    with server.raw() as c:
        _, tagged = c.command("a", "AUTHENTICATE PLAIN " + bad)
        assert tagged.startswith("a BAD"), tagged
        _, tagged = c.command("b", "NOOP")
        assert tagged.startswith("b OK")


def test_authenticate_invalid_base64_response(server):
    with server.raw() as c:
        c.send("a AUTHENTICATE PLAIN\r\n")
        assert c.readline().startswith("+")
        c.send("AGRlbW8A=ZGVtbw\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a BAD"), tagged
        _, tagged = c.command("b", "LOGIN demo demo")
        assert tagged.startswith("b OK"), tagged


def test_authenticate_cancel(server):
    with server.raw() as c:
        c.send("a AUTHENTICATE PLAIN\r\n")
        assert c.readline().startswith("+")
        c.send("*\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a BAD"), tagged
        _, tagged = c.command("b", "LOGIN demo demo")
        assert tagged.startswith("b OK"), tagged


def test_authenticate_scram_cancel(server):
    with server.raw() as c:
        sc = ScramClient("demo", "demo")
        c.send("a AUTHENTICATE SCRAM-SHA-256\r\n")
        assert c.readline().startswith("+")
        c.send(b64(sc.first()) + "\r\n")
        line = c.readline()
        assert line.startswith("+ "), line
        c.send("*\r\n")
        _, tagged = c.read_until_tagged("a")
        assert tagged.startswith("a BAD"), tagged


@pytest.mark.parametrize("initial_response", [True, False], ids=["sasl-ir", "continuation"])
def test_authenticate_scram_sha256(server, initial_response):
    with server.raw() as c:  # plain port: SCRAM is offered even without TLS
        assert "AUTH=SCRAM-SHA-256" in caps_of(c.greeting)
        tagged, verified = scram_exchange(c, "s", "demo", "demo", initial_response)
        assert tagged.startswith("s OK [CAPABILITY "), tagged
        assert verified is True, "server signature did not verify"
        _, tagged = c.command("n", "NOOP")
        assert tagged.startswith("n OK")


def test_authenticate_scram_wrong_password(server):
    with server.raw() as c:
        tagged, verified = scram_exchange(c, "s", "demo", "wrong")
        assert AUTH_FAILED.match(tagged), tagged
        assert tagged.startswith("s NO")
        assert verified is not True
        # The connection is still usable and not authenticated.
        _, tagged = c.command("e", "ENABLE IMAP4rev2")
        assert tagged.startswith("e BAD"), tagged
        tagged, verified = scram_exchange(c, "t", "demo", "demo")
        assert tagged.startswith("t OK"), tagged


def test_authenticate_scram_unknown_user(server):
    with server.raw() as c:
        tagged, verified = scram_exchange(c, "s", "ghost", "demo")
        assert AUTH_FAILED.match(tagged), tagged
        assert tagged.startswith("s NO")


def test_authenticate_unknown_mechanism(server):
    with server.raw() as c:
        _, tagged = c.command("a", "AUTHENTICATE X-UNKNOWN")
        assert re.match(r"^a (NO|BAD)\b", tagged), tagged
        _, tagged = c.command("b", "NOOP")
        assert tagged.startswith("b OK")


def test_authenticate_scram_with_imaplib(server):
    """imaplib's own AUTHENTICATE driver (continuations only)."""
    m = server.imap()
    try:
        sc = ScramClient("demo", "demo")
        verified = []

        def check_final(server_final):
            verified.append(sc.verify(server_final))
            return b""

        steps = iter([lambda _: sc.first(), sc.final, check_final])
        typ, data = m.authenticate("SCRAM-SHA-256", lambda ch: next(steps)(ch))
        assert typ == "OK"
        assert verified == [True]
        assert data[0].decode().startswith("[CAPABILITY ")
    finally:
        close_quietly(m)


# --------------------------------------------------------------------------
# 4. cleartext policy
# --------------------------------------------------------------------------

def test_cleartext_never(make_server):
    s = make_server({"auth": {"cleartext": "never"}})
    with s.raw() as c:
        caps = caps_of(c.greeting)
        assert "LOGINDISABLED" in caps
        assert "AUTH=PLAIN" not in caps
        assert "STARTTLS" in caps
        assert "AUTH=SCRAM-SHA-256" in caps
        _, tagged = c.command("a", "LOGIN demo demo")
        assert tagged.startswith("a NO [PRIVACYREQUIRED]"), tagged
        _, tagged = c.command("b", "AUTHENTICATE PLAIN " + b64("\0demo\0demo"))
        assert re.match(r"^b (NO|BAD)\b", tagged), tagged
        # SCRAM does not reveal the password: allowed without TLS.
        tagged, verified = scram_exchange(c, "s", "demo", "demo")
        assert tagged.startswith("s OK"), tagged
    # After STARTTLS, LOGIN works.
    m = s.imap(starttls=True)
    try:
        assert "LOGINDISABLED" not in m.capabilities
        assert "AUTH=PLAIN" in m.capabilities
        typ, _ = m.login("demo", "demo")
        assert typ == "OK"
    finally:
        close_quietly(m)
    # Implicit TLS always allows it too.
    m = s.imaps()
    try:
        assert m.login("demo", "demo")[0] == "OK"
    finally:
        close_quietly(m)


def test_cleartext_loopback_default_allows_plain_login(server):
    with server.raw() as c:
        caps = caps_of(c.greeting)
        assert "LOGINDISABLED" not in caps
        assert "AUTH=PLAIN" in caps
        _, tagged = c.command("a", "LOGIN demo demo")
        assert tagged.startswith("a OK [CAPABILITY "), tagged


def non_loopback_ipv4():
    """A local non-loopback IPv4 address, or None."""
    import ipaddress
    import socket

    candidates = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.connect(("192.0.2.123", 9))  # no packet is sent for UDP connect
            candidates.add(u.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            candidates.add(info[4][0])
    except OSError:
        pass
    for a in sorted(candidates):
        ip = ipaddress.ip_address(a)
        if not ip.is_loopback and not ip.is_unspecified:
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                    t.bind((a, 0))
                return a
            except OSError:
                continue
    return None


@pytest.mark.parametrize("policy", ["loopback", "always"])
def test_cleartext_policy_from_non_loopback_address(make_server, policy):
    from conftest import RawClient, free_port

    addr = non_loopback_ipv4()
    if addr is None:
        pytest.skip("no non-loopback IPv4 address on this host")
    port = free_port()
    s = make_server({"imap": {"listen": f"{addr}:{port}"}, "auth": {"cleartext": policy}})
    with RawClient.connect(addr, port) as c:
        caps = caps_of(c.greeting)
        _, tagged = c.command("a", "LOGIN demo demo")
        if policy == "loopback":
            assert "LOGINDISABLED" in caps and "AUTH=PLAIN" not in caps, caps
            assert tagged.startswith("a NO [PRIVACYREQUIRED]"), tagged
            tagged, _ = scram_exchange(c, "s", "demo", "demo")
            assert tagged.startswith("s OK"), tagged
        else:
            assert "LOGINDISABLED" not in caps and "AUTH=PLAIN" in caps, caps
            assert tagged.startswith("a OK"), tagged
    # STARTTLS always makes LOGIN possible.
    import imaplib
    from conftest import insecure_context

    m = imaplib.IMAP4(addr, port, timeout=10)
    try:
        m.starttls(ssl_context=insecure_context())
        assert "LOGINDISABLED" not in m.capabilities
        assert m.login("demo", "demo")[0] == "OK"
    finally:
        close_quietly(m)


def test_max_failures_counts_authenticate(make_server):
    s = make_server({"auth": {"max_failures_per_connection": 2, "failure_delay_ms": 10}})
    with s.raw() as c:
        _, tagged = c.command("a", "AUTHENTICATE PLAIN " + b64("\0demo\0bad1"))
        assert AUTH_FAILED.match(tagged), tagged
        tagged, _ = scram_exchange(c, "b", "demo", "bad2")
        assert AUTH_FAILED.match(tagged), tagged
        lines = c.expect_closed(timeout=5)
        assert any(l.startswith("* BYE") for l in lines), lines
