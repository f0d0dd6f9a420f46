"""Server lifecycle: timeouts, shutdown, restarts on the same data dir,
file permissions, pid file."""

import os
import signal
import ssl
import stat
import time

import pytest

from conftest import insecure_context


@pytest.mark.slow
def test_unauthenticated_timeout(make_server):
    s = make_server({"imap": {"unauthenticated_timeout": 5}})
    idle = s.raw()
    # An authenticated connection is governed by idle_timeout (default 1800 s)
    # and must survive the unauthenticated timeout.
    authed = s.raw()
    _, tagged = authed.command("l", "LOGIN demo demo")
    assert tagged.startswith("l OK"), tagged
    t0 = time.monotonic()
    lines = idle.expect_closed(timeout=9)
    elapsed = time.monotonic() - t0
    assert any(l.startswith("* BYE") for l in lines), lines
    assert "Autologout" in " ".join(lines), lines
    assert 4.0 <= elapsed <= 7.5, elapsed
    _, tagged = authed.command("n", "NOOP")
    assert tagged.startswith("n OK"), tagged
    idle.close()
    authed.close()


def test_unauthenticated_timeout_minimum_enforced(tmp_path):
    from conftest import Server

    s = Server(tmp_path / "srv", {"imap": {"unauthenticated_timeout": 1}})
    with pytest.raises(AssertionError, match="unauthenticated_timeout"):
        s.start()
    assert s.proc.returncode == 78


def test_sigterm_sends_bye_and_exits_zero(make_server):
    s = make_server()
    plain = s.raw()
    _, tagged = plain.command("l", "LOGIN demo demo")
    assert tagged.startswith("l OK"), tagged
    tls = s.raw(tls=True)
    _, tagged = tls.command("l", "LOGIN demo demo")
    assert tagged.startswith("l OK"), tagged
    unauth = s.raw()
    t0 = time.monotonic()
    s.proc.send_signal(signal.SIGTERM)
    for c in (plain, tls, unauth):
        lines = c.expect_closed(timeout=5)
        assert any(l.startswith("* BYE") for l in lines), lines
        c.close()
    rc = s.proc.wait(timeout=5)
    assert rc == 0, s.stderr()[-3000:]
    assert time.monotonic() - t0 < 5
    # The make_server teardown re-checks exit status and sanitizer output.


def test_sigint_exits_zero(make_server):
    s = make_server()
    with s.raw() as c:
        s.proc.send_signal(signal.SIGINT)
        lines = c.expect_closed(timeout=5)
        assert any(l.startswith("* BYE") for l in lines), lines
    assert s.proc.wait(timeout=5) == 0


def test_pid_file(make_server, tmp_path):
    pid_path = tmp_path / "courriel.pid"
    s = make_server(extra_args=["--pid-file", str(pid_path)])
    assert pid_path.read_text().strip() == str(s.proc.pid)


def test_data_dir_permissions(make_server):
    s = make_server()
    d = s.data_dir
    assert stat.S_IMODE(d.stat().st_mode) == 0o700, oct(d.stat().st_mode)
    key = d / "tls" / "key.pem"
    assert key.exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600, oct(key.stat().st_mode)
    users = d / "users"
    assert users.exists()
    assert stat.S_IMODE(users.stat().st_mode) & 0o007 == 0, oct(users.stat().st_mode)
    for p in d.rglob("*"):
        if p.is_file() and "secret" in p.name:
            assert stat.S_IMODE(p.stat().st_mode) & 0o077 == 0, (p, oct(p.stat().st_mode))


def test_demo_user_created_and_warned(make_server):
    s = make_server()
    r = s.cli("user", "list")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["demo@localhost"]
    assert "demo" in s.stderr()


def test_no_demo_user_when_disabled(make_server):
    s = make_server({"auth": {"create_demo_user": False}})
    r = s.cli("user", "list")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == []
    with s.raw() as c:
        _, tagged = c.command("l", "LOGIN demo demo")
        assert tagged.startswith("l NO [AUTHENTICATIONFAILED]"), tagged


def server_cert_der(s):
    import socket

    with socket.create_connection(("127.0.0.1", s.imaps_port), timeout=5) as raw:
        with insecure_context().wrap_socket(raw, server_hostname="localhost") as t:
            return t.getpeercert(binary_form=True)


def test_restart_keeps_certificate_and_users(make_server):
    s = make_server(name="first")
    cert_file = s.data_dir / "tls" / "cert.pem"
    key_file = s.data_dir / "tls" / "key.pem"
    cert_pem, key_pem = cert_file.read_bytes(), key_file.read_bytes()
    der = server_cert_der(s)
    # The served certificate is the (first) one in cert.pem.
    assert ssl.PEM_cert_to_DER_cert(cert_pem.decode()) == der
    # Replace demo with bob while running.
    r = s.cli("user", "add", "bob", "--password-stdin", stdin="bobpw\n")
    assert r.returncode == 0, r.stderr
    r = s.cli("user", "del", "demo")
    assert r.returncode == 0, r.stderr
    s.stop_and_check()
    users_bytes = (s.data_dir / "users").read_bytes()

    s2 = make_server(name="second", data_dir=s.data_dir)
    assert cert_file.read_bytes() == cert_pem
    assert key_file.read_bytes() == key_pem
    assert server_cert_der(s2) == der
    # demo is not recreated: there are users.
    assert (s.data_dir / "users").read_bytes() == users_bytes
    r = s2.cli("user", "list")
    assert r.stdout.split() == ["bob@localhost"], r.stdout
    with s2.raw() as c:
        _, tagged = c.command("a", "LOGIN demo demo")
        assert tagged.startswith("a NO [AUTHENTICATIONFAILED]"), tagged
        _, tagged = c.command("b", "LOGIN bob bobpw")
        assert tagged.startswith("b OK"), tagged


def test_restart_with_no_users_recreates_demo(make_server):
    s = make_server(name="first")
    assert s.cli("user", "del", "demo").returncode == 0
    s.stop_and_check()
    s2 = make_server(name="second", data_dir=s.data_dir)
    r = s2.cli("user", "list")
    assert r.stdout.split() == ["demo@localhost"], r.stdout


def test_configured_cert_files_used(make_server, tmp_path):
    # Generate a pair with a first server, then point a second at copies.
    s = make_server(name="gen")
    cert = tmp_path / "mycert.pem"
    key = tmp_path / "mykey.pem"
    cert.write_bytes((s.data_dir / "tls" / "cert.pem").read_bytes())
    key.write_bytes((s.data_dir / "tls" / "key.pem").read_bytes())
    os.chmod(key, 0o600)
    der = server_cert_der(s)
    s2 = make_server({"tls": {"cert_file": str(cert), "key_file": str(key)}}, name="cfg")
    assert server_cert_der(s2) == der
    assert not (s2.data_dir / "tls" / "cert.pem").exists()
