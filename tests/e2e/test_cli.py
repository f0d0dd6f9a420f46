"""The command line: user management while the server runs, configuration
errors, help texts."""

import re

import pytest

from conftest import Server, assert_no_sanitizer_report, run_cli, write_config


def login(s, user, password):
    """LOGIN with both arguments as non-synchronising literals (8-bit safe)."""
    u, p = user.encode(), password.encode()
    with s.raw() as c:
        c.send(b"l LOGIN {%d+}\r\n%s {%d+}\r\n%s\r\n" % (len(u), u, len(p), p))
        return c.read_until_tagged("l")[1]


def test_user_lifecycle_while_running(make_server):
    s = make_server()
    r = s.cli("user", "add", "bob", "--password-stdin", stdin="hunter2\n")
    assert r.returncode == 0, r.stderr
    # No restart: the running server sees the new user.
    assert login(s, "bob", "hunter2").startswith("l OK [CAPABILITY ")
    assert login(s, "bob@localhost", "hunter2").startswith("l OK")

    r = s.cli("user", "list")
    assert r.returncode == 0, r.stderr
    names = r.stdout.split()
    assert "bob@localhost" in names and "demo@localhost" in names, r.stdout
    assert len(names) == 2, r.stdout

    # Adding the same user again fails.
    r = s.cli("user", "add", "bob", "--password-stdin", stdin="other\n")
    assert r.returncode != 0
    assert "bob" in r.stderr
    assert login(s, "bob", "hunter2").startswith("l OK")

    # The server remembers bob's verified password (login cache, on by
    # default): a new password must still refuse the old one at once.
    r = s.cli("user", "passwd", "bob", "--password-stdin", stdin="correct horse\n")
    assert r.returncode == 0, r.stderr
    assert login(s, "bob", "hunter2").startswith("l NO [AUTHENTICATIONFAILED]")
    assert login(s, "bob", "correct horse").startswith("l OK")

    r = s.cli("user", "del", "bob")
    assert r.returncode == 0, r.stderr
    assert login(s, "bob", "correct horse").startswith("l NO [AUTHENTICATIONFAILED]")
    r = s.cli("user", "list")
    assert r.stdout.split() == ["demo@localhost"], r.stdout
    assert login(s, "demo", "demo").startswith("l OK")


def test_user_with_domain_and_scram(make_server):
    from scram import scram_exchange

    s = make_server()
    r = s.cli("user", "add", "carol@example.org", "--password-stdin", stdin="pässwörd\n")
    assert r.returncode == 0, r.stderr
    assert "carol@example.org" in s.cli("user", "list").stdout.split()
    # carol alone is carol@localhost, a different user.
    assert login(s, "carol", "pässwörd").startswith("l NO [AUTHENTICATIONFAILED]")
    assert login(s, "carol@example.org", "pässwörd").startswith("l OK")
    # 8-bit characters are not allowed in an IMAP4rev1 quoted string.
    with s.raw() as c:
        _, tagged = c.command("q", 'LOGIN "carol@example.org" "pässwörd"')
        assert tagged.startswith("q BAD"), tagged
    with s.raw() as c:
        tagged, verified = scram_exchange(c, "s", "carol@example.org", "pässwörd")
        assert tagged.startswith("s OK"), tagged
        assert verified is True


@pytest.mark.parametrize("name", ["../x", "a/b", "", "a b", "a@b@c", "@example.org", "bob@"])
def test_user_add_rejects_bad_names(tmp_path, name):
    data = tmp_path / "data"
    r = run_cli("user", "add", name, "--password-stdin", "--data", str(data), stdin="pw\n")
    assert r.returncode != 0, (name, r.stdout, r.stderr)
    assert r.stderr.strip(), "an error message is expected"
    assert not (tmp_path / "x").exists()
    listing = run_cli("user", "list", "--data", str(data))
    assert name not in listing.stdout.split()


def test_user_del_unknown_fails(make_server):
    s = make_server()
    r = s.cli("user", "del", "nobody")
    assert r.returncode != 0
    assert "nobody" in r.stderr
    assert s.cli("user", "list").stdout.split() == ["demo@localhost"]


def test_user_del_unknown_fails_no_data_dir(tmp_path):
    data = tmp_path / "data"
    r = run_cli("user", "del", "nobody", "--data", str(data))
    assert r.returncode != 0


def test_user_passwd_unknown_fails(tmp_path):
    r = run_cli("user", "passwd", "nobody", "--password-stdin", "--data",
                str(tmp_path / "data"), stdin="x\n")
    assert r.returncode != 0


def serve_with_config(tmp_path, text, *extra):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(text)
    r = run_cli("serve", "--config", str(cfg), "--data", str(tmp_path / "data"), *extra,
                timeout=20)
    assert_no_sanitizer_report(r.stderr, "courriel serve")
    return r


@pytest.mark.parametrize("text,key", [
    ('[imap]\nlisten = "off"\nlisten_tls = "off"\nbogus_key = 1\n', "bogus_key"),
    ('[server]\nnot_a_key = "x"\n', "not_a_key"),
    ('[nosuchsection]\nfoo = 1\n', "nosuchsection"),
    ('[auth]\ncleartext = "sometimes"\n', "cleartext"),
    ('[imap]\nunauthenticated_timeout = 2\n', "unauthenticated_timeout"),
    ('[imap]\nmax_line_length = "long"\n', "max_line_length"),
    ('[server]\nlog_level = "chatty"\n', "log_level"),
    ('[imap]\nlisten = "not an address"\n', "listen"),
])
def test_bad_config_exits_naming_key(tmp_path, text, key):
    r = serve_with_config(tmp_path, text)
    assert r.returncode == 78, (r.returncode, r.stderr)
    assert key in r.stderr, r.stderr
    assert not re.search(r"\bready\b", r.stderr), r.stderr


def test_bad_toml_syntax(tmp_path):
    r = serve_with_config(tmp_path, "[imap\nlisten = \n")
    assert r.returncode != 0
    assert r.stderr.strip()


def test_missing_config_file(tmp_path):
    r = run_cli("serve", "--config", str(tmp_path / "nope.toml"), timeout=20)
    assert r.returncode != 0
    assert "nope.toml" in r.stderr


def test_both_listeners_off(tmp_path):
    r = run_cli("serve", "--data", str(tmp_path / "data"), "--imap", "off", "--imaps", "off",
                "--sieve", "off", timeout=20)
    assert r.returncode != 0, r.stderr
    assert not re.search(r"\bready\b", r.stderr), r.stderr
    assert_no_sanitizer_report(r.stderr)


def test_listen_addresses_from_command_line(make_server):
    """--imap/--imaps override the config file."""
    from conftest import free_port

    p1, p2 = free_port(), free_port()
    s = make_server(extra_args=["--imap", f"127.0.0.1:{p1}", "--imaps", "off"])
    s.imap_port = p1
    with s.raw() as c:
        assert c.greeting.startswith("* OK")
    assert f"127.0.0.1:{p1}" in s.stderr()


def test_port_in_use_fails(make_server, tmp_path):
    s = make_server()
    r = run_cli("serve", "--data", str(tmp_path / "other"),
                "--imap", f"127.0.0.1:{s.imap_port}", "--imaps", "off", timeout=20)
    assert r.returncode != 0
    assert not re.search(r"\bready\b", r.stderr), r.stderr
    assert "in use" in r.stderr or str(s.imap_port) in r.stderr, r.stderr
    assert_no_sanitizer_report(r.stderr)


def test_help_mentions_flags():
    r = run_cli("--help")
    assert r.returncode == 0
    for word in ("serve", "user", "--help", "--version"):
        assert word in r.stdout, word
    r = run_cli("serve", "--help")
    assert r.returncode == 0
    for flag in ("--config", "--data", "--imap", "--imaps", "--pid-file"):
        assert re.search(re.escape(flag) + r"\b", r.stdout), flag
    r = run_cli("user", "--help")
    assert r.returncode == 0
    for sub in ("add", "del", "passwd", "list"):
        assert sub in r.stdout, sub
    for sub in ("add", "passwd"):
        r = run_cli("user", sub, "--help")
        assert r.returncode == 0
        for flag in ("--password-stdin", "--data", "--config"):
            assert flag in r.stdout, (sub, flag)
    for sub in ("del", "list"):
        r = run_cli("user", sub, "--help")
        assert r.returncode == 0
        assert "--data" in r.stdout, sub


def test_unknown_subcommand_and_flag():
    assert run_cli("frobnicate").returncode != 0
    assert run_cli("serve", "--no-such-flag").returncode != 0


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0
    assert re.search(r"\d+\.\d+", r.stdout + r.stderr)


def test_cli_creates_private_data_dir(tmp_path):
    import stat

    data = tmp_path / "fresh"
    r = run_cli("user", "add", "eve", "--password-stdin", "--data", str(data), stdin="pw\n")
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "users").stat().st_mode) & 0o007 == 0
    r = run_cli("user", "list", "--data", str(data))
    assert r.stdout.split() == ["eve@localhost"]
