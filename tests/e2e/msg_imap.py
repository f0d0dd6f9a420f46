"""A small literal-aware IMAP client and response parser for the message,
concurrency, mbsync and crash tests.

``Imap`` sends commands (with LITERAL+ literals) and returns every untagged
response as a parsed token list; ``fetches`` turns FETCH responses into dicts.
"""

import itertools
import os
import re
import socket
from pathlib import Path

from conftest import IO_TIMEOUT, ConnectionClosed

_users = itertools.count()


def new_user(server, prefix="msg", password="secret"):
    """Adds a fresh user to server and returns its name."""
    name = f"{prefix}{os.getpid()}x{next(_users)}"
    r = server.cli("user", "add", name, "--password-stdin", stdin=password + "\n")
    assert r.returncode == 0, r.stderr
    return name


def maildir(server, user, mailbox="INBOX"):
    """The on-disk Maildir folder of mailbox (Maildir++ layout)."""
    root = Path(server.data_dir) / "localhost" / user / "Maildir"
    if mailbox.upper() == "INBOX":
        return root
    return root / ("." + mailbox.replace("/", "."))


def maildir_files(folder):
    """Names of the message files in folder's cur/ and new/."""
    out = []
    for sub in ("cur", "new"):
        d = Path(folder) / sub
        if d.is_dir():
            out += [sub + "/" + n for n in sorted(os.listdir(d)) if not n.startswith(".")]
    return out


# --------------------------------------------------------------------------
# Parsing


class ParseError(Exception):
    pass


def parse(data):
    """Parses one response (bytes, literals inline as {n}CRLF<bytes>) into a
    list of tokens: bytes for atoms/quoted strings/literals, None for NIL,
    lists for parenthesised lists.  Atoms keep their [section]<partial>."""
    pos = 0
    n = len(data)

    def parse_list(close):
        nonlocal pos
        out = []
        while True:
            while pos < n and data[pos:pos + 1] == b" ":
                pos += 1
            if pos >= n:
                if close is None:
                    return out
                raise ParseError(f"unterminated list in {data!r}")
            ch = data[pos:pos + 1]
            if ch == close:
                pos += 1
                return out
            if ch == b"(":
                pos += 1
                out.append(parse_list(b")"))
            elif ch == b'"':
                pos += 1
                buf = bytearray()
                while True:
                    if pos >= n:
                        raise ParseError(f"unterminated string in {data!r}")
                    c = data[pos:pos + 1]
                    if c == b"\\":
                        buf += data[pos + 1:pos + 2]
                        pos += 2
                    elif c == b'"':
                        pos += 1
                        break
                    else:
                        buf += c
                        pos += 1
                out.append(bytes(buf))
            elif ch in (b"{", b"~") and re.match(rb"~?\{\d+\+?\}\r\n", data[pos:]):
                m = re.match(rb"~?\{(\d+)\+?\}\r\n", data[pos:])
                ln = int(m.group(1))
                pos += m.end()
                out.append(data[pos:pos + ln])
                pos += ln
            else:
                start = pos
                depth = 0
                while pos < n:
                    c = data[pos:pos + 1]
                    if c == b"[":
                        depth += 1
                    elif c == b"]":
                        depth -= 1
                    elif depth == 0 and c in (b" ", b")", b"("):
                        if c == b"(" and pos > start:
                            raise ParseError(f"'(' inside atom in {data!r}")
                        break
                    pos += 1
                atom = data[start:pos]
                out.append(None if atom.upper() == b"NIL" else atom)

    return parse_list(None)


def fetch_items(tokens):
    """For a parsed '* n FETCH (...)' response, returns (n, {NAME: value}).
    Names are upper-cased str; UID/RFC822.SIZE become int, FLAGS a list of
    str, literals/strings stay bytes."""
    assert len(tokens) >= 4 and tokens[0] == b"*" and tokens[2].upper() == b"FETCH", tokens
    seq = int(tokens[1])
    items = tokens[3]
    d = {}
    for i in range(0, len(items), 2):
        name = items[i].decode().upper()
        val = items[i + 1]
        if name in ("UID", "RFC822.SIZE", "MODSEQ"):
            val = int(val if not isinstance(val, list) else val[0])
        elif name == "FLAGS":
            val = [f.decode() for f in val]
        elif name == "INTERNALDATE":
            val = val.decode()
        d[name] = val
    return seq, d


def is_fetch(tokens):
    return (len(tokens) >= 4 and tokens[0] == b"*" and isinstance(tokens[2], bytes)
            and tokens[2].upper() == b"FETCH")


def fetches(responses):
    """{seq: items} for every FETCH among responses (merging repeats)."""
    out = {}
    for t in responses:
        if is_fetch(t):
            seq, d = fetch_items(t)
            out.setdefault(seq, {}).update(d)
    return out


def untagged(responses, keyword):
    """Numbers n of '* n KEYWORD' responses (EXISTS, RECENT, EXPUNGE), in order."""
    out = []
    for t in responses:
        if (len(t) >= 3 and t[0] == b"*" and isinstance(t[2], bytes)
                and t[2].upper() == keyword.encode()):
            out.append(int(t[1]))
    return out


def code(line, name):
    """The argument of response code [NAME ...] in a line (str), or None."""
    m = re.search(r"\[" + re.escape(name) + r"(?: ([^\]]*))?\]", line)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else ""


def uid_set(s):
    """Expands an IMAP uid set like '3:5,9' into a list of ints."""
    out = []
    for part in s.split(","):
        if ":" in part:
            a, b = (int(x) for x in part.split(":"))
            out += list(range(min(a, b), max(a, b) + 1))
        else:
            out.append(int(part))
    return out


# --------------------------------------------------------------------------
# Client


class Imap:
    """Literal-aware raw IMAP client."""

    def __init__(self, server, user="demo", password="demo", login=True, timeout=IO_TIMEOUT):
        self.sock = socket.create_connection(("127.0.0.1", server.imap_port), timeout=timeout)
        self.buf = b""
        self.tags = itertools.count(1)
        self.greeting = self.readline()
        self.raw = []
        if login:
            _, tagged = self.cmd(f"LOGIN {quote(user)} {quote(password)}")
            assert " OK" in tagged, tagged

    def settimeout(self, t):
        self.sock.settimeout(t)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- I/O ---------------------------------------------------------------
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionClosed(f"connection closed; pending {self.buf[-500:]!r}")
        self.buf += chunk

    def readline(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            self._fill()

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response(self):
        """One whole response as bytes, with literals inline."""
        out = b""
        while True:
            line = self.readline()
            out += line
            m = re.search(rb"~?\{(\d+)\}$", line)
            if m and not line.startswith(b"+ "):
                out += b"\r\n" + self.read_exact(int(m.group(1)))
                continue
            return out

    # -- commands ----------------------------------------------------------
    def cmd(self, text, *literals, tag=None):
        """Sends 'tag text' where each {} in text is replaced by a LITERAL+
        literal of the next item of literals; returns (responses, tagged)
        where responses are the parsed untagged responses and tagged is the
        tagged line (str)."""
        tag = tag or f"m{next(self.tags)}"
        self.send_cmd(tag, text, *literals)
        return self.wait(tag)

    def send_cmd(self, tag, text, *literals):
        if isinstance(text, str):
            text = text.encode()
        parts = text.split(b"{}")
        assert len(parts) == len(literals) + 1, (text, len(literals))
        data = tag.encode() + b" " + parts[0]
        for lit, rest in zip(literals, parts[1:]):
            if isinstance(lit, str):
                lit = lit.encode()
            data += b"{%d+}\r\n" % len(lit) + lit + rest
        self.send(data + b"\r\n")

    def wait(self, tag):
        """Reads up to the tagged response; the raw untagged responses (bytes)
        are kept in self.raw."""
        responses = []
        self.raw = []
        while True:
            r = self.read_response()
            if r.startswith(tag.encode() + b" "):
                return responses, r.decode("latin-1")
            self.raw.append(r)
            responses.append(parse(r))

    def ok(self, text, *literals):
        responses, tagged = self.cmd(text, *literals)
        assert tagged.split(" ", 2)[1] == "OK", (text[:200], responses[:20], tagged)
        return responses, tagged

    def no(self, text, *literals):
        responses, tagged = self.cmd(text, *literals)
        assert tagged.split(" ", 2)[1] == "NO", (text[:200], responses[:20], tagged)
        return tagged

    def bad(self, text, *literals):
        responses, tagged = self.cmd(text, *literals)
        assert tagged.split(" ", 2)[1] == "BAD", (text[:200], responses[:20], tagged)
        return tagged

    # -- conveniences ------------------------------------------------------
    def append(self, mailbox, message, flags=None, date=None):
        """APPEND; returns the UID from APPENDUID."""
        args = quote(mailbox)
        if flags is not None:
            args += " (" + " ".join(flags) + ")"
        if date is not None:
            args += f' "{date}"'
        _, tagged = self.ok(f"APPEND {args} {{}}", message)
        au = code(tagged, "APPENDUID")
        assert au, tagged
        return int(au.split()[1])

    def select(self, mailbox, examine=False):
        responses, tagged = self.ok(("EXAMINE " if examine else "SELECT ") + quote(mailbox))
        return responses, tagged

    def fetch(self, seqs, items, uid=False):
        responses, _ = self.ok(("UID " if uid else "") + f"FETCH {seqs} {items}")
        return fetches(responses)

    def status(self, mailbox, items="MESSAGES UIDNEXT UNSEEN"):
        responses, _ = self.ok(f"STATUS {quote(mailbox)} ({items})")
        for t in responses:
            if t[:2] == [b"*", b"STATUS"]:
                lst = t[3]
                return {lst[i].decode().upper(): int(lst[i + 1]) for i in range(0, len(lst), 2)}
        raise AssertionError(f"no STATUS response: {responses}")

    def uids(self, mailbox=None):
        """[uid, ...] in sequence order of the selected mailbox (or of mailbox,
        which is selected first)."""
        if mailbox is not None:
            self.select(mailbox)
        f = self.fetch("1:*", "(UID)", uid=True)
        return [f[s]["UID"] for s in sorted(f)]


def quote(s):
    if re.fullmatch(r"[A-Za-z0-9_.&+\-/]+", s):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_message(subject, body="Hello.\r\n", size=None, sender="alice@example.org",
                 to="bob@example.org", extra_headers=()):
    """An RFC 5322 message (bytes, CRLF).  With size, the body is padded with
    deterministic lines to make the whole message exactly size bytes."""
    head = (
        f"From: Alice <{sender}>\r\n"
        f"To: Bob <{to}>\r\n"
        f"Subject: {subject}\r\n"
        f"Date: Tue, 25 Nov 2025 10:00:00 +0100\r\n"
        f"Message-ID: <{re.sub(r'[^A-Za-z0-9]', '.', subject)}.{os.getpid()}@example.org>\r\n"
    )
    for h in extra_headers:
        head += h + "\r\n"
    head += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    msg = (head + body).encode()
    if size is not None:
        i = 0
        lines = []
        total = len(msg)
        while total < size:
            line = f"line {i:07d} of the filler text for {subject[:20]}\r\n".encode()
            lines.append(line)
            total += len(line)
            i += 1
        msg += b"".join(lines)
        msg = msg[:size - 2] + b"\r\n" if len(msg) > size else msg
    return msg


def apply_expunges(uids, responses):
    """Applies the '* n EXPUNGE' responses among responses to a client's view
    (a list of UIDs in sequence order); returns the new view.  Fails on an
    EXPUNGE of a sequence number the client does not have."""
    view = list(uids)
    for n in untagged(responses, "EXPUNGE"):
        assert 1 <= n <= len(view), (n, view)
        del view[n - 1]
    return view
