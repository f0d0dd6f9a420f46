#!/usr/bin/python3
"""IMAP benchmarks: the same workloads against Courriel and Dovecot in one run.

Starts a private Courriel (`courriel serve`) and a private Dovecot (`dovecot -F`)
on free loopback ports with fresh data directories, runs every workload on both
servers (repetitions interleaved so that machine noise hits both alike) and
prints the median wall time of each, the ratio dovecot/courriel (> 1 means
Courriel is faster) and the CPU time each server process spent per operation.

Standard library only; raw sockets, no imaplib. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import email.header
import email.utils
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata

USER = "bench"
PASSWORD = "pw"
CLK_TCK = os.sysconf("SC_CLK_TCK")
HEADER_SYNC_FIELDS = ("From To Cc Bcc Subject Date Message-ID Priority X-Priority References "
                      "Newsgroups In-Reply-To Content-Type Reply-To")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# CPU accounting from /proc

def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name may hold spaces: fields start after the last ')'.
    return data[data.rindex(")") + 2:].split()


def _task_cpu_ns(pid: int) -> int:
    """CPU time of every thread of a live process, in ns (schedstat: user + system)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/schedstat", "rb") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


class CpuSample:
    """CPU used so far by a process tree, two ways: the schedstat nanoseconds
    of its live threads (precise, but a thread that has exited takes its time
    with it) and the clock ticks of /proc/PID/stat (every thread, dead or
    alive, plus reaped children; 10 ms resolution). The difference of two
    samples is the larger difference: neither undercounts then."""

    def __init__(self, live_ns: int, ticks: int):
        self.live_ns = live_ns
        self.ticks = ticks

    def __sub__(self, other: "CpuSample") -> float:
        return max((self.live_ns - other.live_ns) / 1e9, (self.ticks - other.ticks) / CLK_TCK)


def process_tree_cpu(root: int) -> CpuSample:
    """CPU of `root` and its live descendants, plus the descendants they
    already reaped (cutime + cstime)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = _stat_fields(int(name))
        if fields is None:
            continue
        pid = int(name)
        stats[pid] = fields
        children.setdefault(int(fields[1]), []).append(pid)
    ns = 0
    ticks = 0
    reaped = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        f = stats.get(pid)
        if f is None:
            continue
        # fields[11], fields[12] = utime stime; fields[13], fields[14] = cutime cstime
        ticks += int(f[11]) + int(f[12])
        reaped += int(f[13]) + int(f[14])
        ns += _task_cpu_ns(pid)
        todo.extend(children.get(pid, []))
    return CpuSample(ns + reaped * 1_000_000_000 // CLK_TCK, ticks + reaped)


# ---------------------------------------------------------------------------
# A minimal pipelining IMAP client on a raw socket


class ImapError(Exception):
    pass


class Imap:
    def __init__(self, port: int, timeout: float = 900.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.ntag = 0
        greeting = self._read_line()
        if not greeting.startswith(b"* OK"):
            raise ImapError(f"bad greeting {greeting[:200]!r}")
        self.caps = greeting.upper()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def _fill(self, keep_from: int) -> int:
        """Reads more data; bytes before `keep_from` may be dropped. Returns
        by how much positions at or after keep_from moved."""
        shift = 0
        if keep_from > (1 << 20):
            del self.buf[:keep_from]
            shift = keep_from
        data = self.sock.recv(1 << 20)
        if not data:
            raise ImapError("connection closed by server")
        self.buf += data
        return shift

    def _read_line(self) -> bytes:
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return line
            self.pos -= self._fill(self.pos)

    def tag(self) -> bytes:
        self.ntag += 1
        return b"T%d" % self.ntag

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def wait(self, tag: bytes, keep: bool = False) -> tuple[bytes, int, list[bytes]]:
        """Reads responses until the tagged completion of `tag`. Returns
        (tagged line, number of untagged responses, untagged lines if keep).
        Literals are skipped by their announced size."""
        prefix = tag + b" "
        count = 0
        kept: list[bytes] = []
        start = scan = self.pos  # start of the current response, where to look for CRLF
        while True:
            buf = self.buf
            i = buf.find(b"\r\n", scan)
            if i < 0:
                scan = max(start, len(buf) - 1)
                shift = self._fill(start)
                start -= shift
                scan -= shift
                continue
            if i > start and buf[i - 1] == 0x7D:  # '}': a literal follows
                j = buf.rfind(b"{", start, i)
                n = int(buf[j + 1:i - 1].rstrip(b"+"))
                end = i + 2 + n
                while len(self.buf) < end:
                    shift = self._fill(start)
                    start -= shift
                    end -= shift
                scan = end
                continue
            # a complete response from start to i
            first = buf[start]
            if first == 0x2A or first == 0x2B:  # '*' or '+'
                count += 1
                if keep:
                    kept.append(bytes(buf[start:i]))
                start = scan = i + 2
                continue
            line = bytes(buf[start:i])
            self.pos = i + 2
            if line.startswith(prefix):
                return line, count, kept
            raise ImapError(f"unexpected response {line[:200]!r}")

    def cmd(self, text: str | bytes, ok: bool = True, keep: bool = False):
        t = self.tag()
        if isinstance(text, str):
            text = text.encode()
        self.send(t + b" " + text + b"\r\n")
        line, count, kept = self.wait(t, keep)
        if ok and not line.startswith(t + b" OK"):
            raise ImapError(f"{text[:100]!r} failed: {line[:300]!r}")
        return line, count, kept

    def login(self) -> None:
        self.cmd(f"LOGIN {USER} {PASSWORD}")

    def append_one(self, mailbox: str, msg: bytes, literal_plus: bool) -> bytes:
        t = self.tag()
        if literal_plus:
            self.send(b"%s APPEND %s {%d+}\r\n%s\r\n" % (t, mailbox.encode(), len(msg), msg))
        else:
            self.send(b"%s APPEND %s {%d}\r\n" % (t, mailbox.encode(), len(msg)))
            cont = self._read_line()
            if not cont.startswith(b"+"):
                raise ImapError(f"APPEND: no continuation: {cont[:200]!r}")
            self.send(msg + b"\r\n")
        line, _, _ = self.wait(t)
        if not line.startswith(t + b" OK"):
            raise ImapError(f"APPEND failed: {line[:300]!r}")
        return line

    def multiappend(self, mailbox: str, msgs: list[tuple[bytes, str]]) -> bytes:
        """One APPEND command carrying several messages (RFC 3502), LITERAL+."""
        t = self.tag()
        parts = [t, b" APPEND ", mailbox.encode()]
        for msg, date in msgs:
            parts.append(b' "%s" {%d+}\r\n' % (date.encode(), len(msg)))
            parts.append(msg)
        parts.append(b"\r\n")
        self.send(b"".join(parts))
        line, _, _ = self.wait(t)
        if not line.startswith(t + b" OK"):
            raise ImapError(f"MULTIAPPEND failed: {line[:300]!r}")
        return line


# ---------------------------------------------------------------------------
# Realistic messages

_WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
          "which but have an they you were her she there one all we can their has been if more "
          "when will would who so no meeting project report budget deadline server release "
          "review patch invoice schedule quarter customer design draft update question answer "
          "thanks please attached regards tomorrow friday weekly numbers migration backup disk "
          "network latency index mailbox folder").split()
_FIRST = "Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Rupert Sybil Trent Victor Walter Zoé Éloïse".split()
_LAST = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia Smith Jones Müller".split()
_DOMAINS = "example.org example.com lists.example.net corp.example mail.example.fr".split()
_SUBJ = ("Re: {w} {w} for {d}", "Weekly {w} report", "[{l}] {w} {w} {w}", "Fwd: {w} {w}",
         "Question about the {w}", "{w} {w} update ({n})", "Invitation: {w} meeting on {d}",
         "Re: Re: {w} {w} {w}", "Votre facture n°{n}", "Ticket #{n}: {w} {w} fails")


def _ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def _enc(text: str) -> str:
    """RFC 2047 encoded-word for non-ASCII header text, as mail user agents send."""
    return text if text.isascii() else email.header.Header(text, "utf-8").encode()


class MessageFactory:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        r = random.Random(seed + 1)
        lines = []
        for _ in range(4000):
            n = r.randint(6, 14)
            lines.append(" ".join(r.choice(_WORDS) for _ in range(n)).capitalize() + ".")
        self.text = "\r\n".join(lines).encode()
        self.people = [(f"{r.choice(_FIRST)} {r.choice(_LAST)}",
                        f"{_ascii(r.choice(_FIRST))}.{_ascii(r.choice(_LAST))}@{r.choice(_DOMAINS)}")
                       for _ in range(300)]
        self.ids: list[str] = []
        self.n = 0
        self.t0 = 1_600_000_000

    def _addr(self) -> str:
        name, addr = self.rng.choice(self.people)
        return f"{_enc(name)} <{addr}>"

    def make(self, size: int | None = None) -> tuple[bytes, str]:
        """Returns (message with CRLF line ends, INTERNALDATE string)."""
        r = self.rng
        self.n += 1
        ts = self.t0 + self.n * 317 + r.randint(0, 300)
        date = email.utils.formatdate(ts)
        mid = f"<{self.n}.{r.getrandbits(48):x}@{r.choice(_DOMAINS)}>"
        subj = r.choice(_SUBJ).format(w=r.choice(_WORDS), d=r.choice(("Monday", "Friday", "next week")),
                                      l=r.choice(("dev", "ops", "announce")), n=r.randint(1, 99999))
        subj = re.sub(r"\{w\}", lambda _: r.choice(_WORDS), subj)
        h = [f"Return-Path: <{self.rng.choice(self.people)[1]}>",
             f"Received: from mx{r.randint(1, 9)}.example.net (mx.example.net [192.0.2.{r.randint(1, 254)}])"
             f"\r\n\tby mail.example.org with ESMTPS id {r.getrandbits(40):x}; {date}",
             f"From: {self._addr()}", f"To: {self._addr()}"]
        if r.random() < 0.3:
            h.append(f"Cc: {self._addr()}, {self._addr()}")
        h += [f"Subject: {_enc(subj)}", f"Date: {date}", f"Message-ID: {mid}"]
        if self.ids and r.random() < 0.4:
            k = r.randint(1, min(6, len(self.ids)))
            refs = r.sample(self.ids[-200:], min(k, len(self.ids[-200:])))
            h.append(f"In-Reply-To: {refs[-1]}")
            h.append("References: " + "\r\n ".join(refs))
        if r.random() < 0.1:
            h.append("X-Priority: 1 (Highest)")
        h += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
              "Content-Transfer-Encoding: 8bit"]
        self.ids.append(mid)
        head = ("\r\n".join(h) + "\r\n\r\n").encode()
        if size is None:
            size = int(min(8192, max(1024, r.lognormvariate(7.9, 0.5))))
        blen = max(64, size - len(head))
        off = r.randint(0, len(self.text) - blen - 2)
        off = self.text.find(b"\r\n", off) + 2
        body = self.text[off:off + blen]
        cut = body.rfind(b"\r\n")
        body = body[:cut + 2] if cut > 0 else body + b"\r\n"
        d = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
        idate = d.strftime("%d-%b-%Y %H:%M:%S +0000")
        return head + body, idate


# ---------------------------------------------------------------------------
# Servers


class Server:
    name = "?"
    port = 0
    literal_plus = True

    def cpu(self) -> CpuSample:
        return process_tree_cpu(self.pid)

    def connect(self) -> Imap:
        c = Imap(self.port)
        c.login()
        return c

    def log_tail(self, n: int = 30) -> str:
        try:
            with open(self.log_file, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError as e:
            return f"(no log: {e})"


class Courriel(Server):
    name = "courriel"

    def __init__(self, binary: str, root: str):
        self.binary = binary
        self.root = os.path.join(root, "courriel")
        os.makedirs(self.root)
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.config = os.path.join(self.root, "courriel.toml")
        with open(self.config, "w") as f:
            f.write(f'[server]\ndata_dir = "{self.data}"\nlog_level = "info"\n'
                    f'[imap]\nlisten = "127.0.0.1:{self.port}"\nlisten_tls = "off"\n'
                    f'[managesieve]\nlisten = "off"\n'
                    f'[auth]\ncleartext = "loopback"\ncreate_demo_user = false\n')
        self.log_file = os.path.join(self.root, "courriel.log")

    def start(self) -> None:
        subprocess.run([self.binary, "user", "add", USER, "--password-stdin", "--config", self.config],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        self.logf = open(self.log_file, "w")
        self.proc = subprocess.Popen([self.binary, "serve", "--config", self.config],
                                     stdout=self.logf, stderr=self.logf)
        self.pid = self.proc.pid
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"courriel exited at start:\n{self.log_tail()}")
            with open(self.log_file, errors="replace") as f:
                if "ready" in f.read():
                    return
            time.sleep(0.05)
        raise RuntimeError(f"courriel not ready after 30 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()

    def describe(self) -> str:
        v = subprocess.run([self.binary, "--version"], capture_output=True, text=True).stdout.strip()
        return f"Courriel {v} ({self.binary}), default durability (fsync on)"


class Dovecot(Server):
    name = "dovecot"

    def __init__(self, binary: str, root: str, fsync: str):
        self.binary = binary
        self.root = os.path.join(root, "dovecot")
        os.makedirs(self.root)
        self.port = free_port()
        self.fsync = fsync
        self.mail = os.path.join(self.root, "mail")
        self.home = os.path.join(self.mail, USER)
        self.maildir = os.path.join(self.home, "Maildir")
        self.log_file = os.path.join(self.root, "dovecot.log")
        self.config = os.path.join(self.root, "dovecot.conf")
        # Dovecot refuses mail access as uid 0 ("invalid UID"): the mail user is
        # the current user when unprivileged, else nobody/nogroup.
        if os.getuid() == 0:
            import pwd, grp
            self.uid = pwd.getpwnam("nobody").pw_uid
            try:
                self.gid = grp.getgrnam("nogroup").gr_gid
            except KeyError:
                self.gid = pwd.getpwnam("nobody").pw_gid
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
        os.makedirs(self.mail)
        os.chmod(self.root, 0o755)
        with open(os.path.join(self.root, "users"), "w") as f:
            f.write(f"{USER}:{{PLAIN}}{PASSWORD}:{self.uid}:{self.gid}::{self.home}\n")
        me_user = None
        if os.getuid() != 0:
            import pwd, grp
            me_user = pwd.getpwuid(os.getuid()).pw_name
            me_group = grp.getgrgid(os.getgid()).gr_name
        with open(self.config, "w") as f:
            f.write(f"""# generated by bench/imap_bench.py
instance_name = courriel-bench-{os.getpid()}
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.log_file}
info_log_path = {self.log_file}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{self.mail}/%u/Maildir
first_valid_uid = {min(self.uid, 500)}
first_valid_gid = 1
mail_fsync = {fsync}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.root}/users
}}
userdb {{
  driver = passwd-file
  args = {self.root}/users
}}
service imap-login {{
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
            if me_user:
                f.write(f"default_internal_user = {me_user}\ndefault_internal_group = {me_group}\n"
                        f"default_login_user = {me_user}\n")
        os.chown(self.mail, self.uid, self.gid)

    def start(self) -> None:
        self.logf = open(os.path.join(self.root, "dovecot.stdout"), "w")
        self.proc = subprocess.Popen([self.binary, "-F", "-c", self.config],
                                     stdout=self.logf, stderr=self.logf)
        self.pid = self.proc.pid
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot exited at start:\n{self.log_tail()}")
            try:
                c = Imap(self.port, timeout=5)
                c.close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot not ready after 30 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()

    def describe(self) -> str:
        v = subprocess.run([self.binary, "--version"], capture_output=True, text=True).stdout.strip()
        return f"Dovecot {v}, maildir, mail_fsync = {self.fsync}"

    def fill_maildir(self, mailbox_dir: str, msgs) -> None:
        """Writes messages straight into Maildir cur/ as Dovecot would name
        them (S= file size, W= CRLF size); Dovecot indexes them on SELECT."""
        cur = os.path.join(mailbox_dir, "cur")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(mailbox_dir, sub), exist_ok=True)
        host = "benchhost"
        t = int(time.time())
        i = 0
        for msg, idate in msgs:
            i += 1
            data = msg.replace(b"\r\n", b"\n")
            name = f"{t}.M{i}P{os.getpid()}.{host},S={len(data)},W={len(msg)}:2,"
            path = os.path.join(cur, name)
            with open(path, "wb") as f:
                f.write(data)
            ts = datetime.datetime.strptime(idate, "%d-%b-%Y %H:%M:%S +0000").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            os.utime(path, (ts, ts))  # Dovecot's INTERNALDATE for maildir is the mtime
            os.chown(path, self.uid, self.gid)
        for dirpath, dirnames, _ in os.walk(self.home):
            os.chown(dirpath, self.uid, self.gid)
        os.sync()


# ---------------------------------------------------------------------------
# Workloads


def median(xs):
    return statistics.median(xs) if xs else float("nan")


class Result:
    def __init__(self, name: str, unit: str, ops: int):
        self.name, self.unit, self.ops = name, unit, ops
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.note: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def add(self, server: str, wall: float, cpu: float) -> None:
        self.wall.setdefault(server, []).append(wall)
        self.cpu.setdefault(server, []).append(cpu)


def measure(server: Server, fn) -> tuple[float, float]:
    c0 = server.cpu()
    t0 = time.perf_counter()
    fn()
    t1 = time.perf_counter()
    c1 = server.cpu()
    return t1 - t0, c1 - c0


def run_concurrently(server, jobs) -> tuple[float, float, float, list[str]]:
    """Runs the callables `jobs` at once, one thread each, released together;
    returns (wall seconds, server CPU seconds, this process's CPU seconds,
    the errors the jobs raised). Shared with lmtp_bench.py."""
    errors: list[str] = []
    barrier = threading.Barrier(len(jobs) + 1)

    def worker(job) -> None:
        barrier.wait()
        try:
            job()
        except ImapError as e:
            errors.append(str(e))
        except Exception as e:  # noqa: BLE001
            errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=worker, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    c0 = server.cpu()
    p0 = time.process_time()
    t0 = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    t1 = time.perf_counter()
    p1 = time.process_time()
    c1 = server.cpu()
    return t1 - t0, c1 - c0, p1 - p0, errors


def run_append(server: Server, clients: int, count: int, mailbox: str, seed: int) -> tuple[float, float]:
    fac = MessageFactory(seed)
    per = [count // clients + (1 if i < count % clients else 0) for i in range(clients)]
    payloads = [[fac.make(4096)[0] for _ in range(n)] for n in per]
    conns = [server.connect() for _ in range(clients)]

    def job(c: Imap, msgs: list[bytes]):
        return lambda: [c.append_one(mailbox, m, server.literal_plus) for m in msgs]

    wall, cpu, _, errors = run_concurrently(server, [job(c, p) for c, p in zip(conns, payloads)])
    for c in conns:
        c.close()
    if errors:
        raise ImapError(errors[0])
    return wall, cpu


def check_literal_plus(server: Server) -> None:
    c = Imap(server.port)
    server.literal_plus = b"LITERAL+" in c.caps
    c.close()


def populate(server: Server, n: int, seed: int, method: str, connections: int) -> float:
    fac = MessageFactory(seed)
    t0 = time.perf_counter()
    if method == "maildir":
        assert isinstance(server, Dovecot)
        server.fill_maildir(server.maildir, (fac.make() for _ in range(n)))
    else:
        # MULTIAPPEND batches over `connections` connections at once (a
        # server with group commit shares fsyncs between them). Moderate
        # batches: a server may cap one command's size (Courriel buffers a
        # command up to 1 MB when APPEND literals are not streamed).
        batch_bytes = 512 << 10
        lock = threading.Lock()
        state = {"done": 0, "made": 0, "last": time.time()}
        errors: list[str] = []

        def next_batch():
            with lock:
                batch, size = [], 0
                while state["made"] < n and size < batch_bytes and len(batch) < 250:
                    m = fac.make()
                    batch.append(m)
                    size += len(m[0])
                    state["made"] += 1
                return batch

        def worker():
            try:
                c = server.connect()
                while not errors:
                    batch = next_batch()
                    if not batch:
                        break
                    c.multiappend("INBOX", batch)
                    with lock:
                        state["done"] += len(batch)
                        if time.time() - state["last"] > 15:
                            state["last"] = time.time()
                            d = state["done"]
                            log(f"  {server.name}: {d}/{n} appended ({d / (time.perf_counter() - t0):.0f}/s)")
                c.close()
            except Exception as e:  # noqa: BLE001
                errors.append(f"{type(e).__name__}: {e}")

        threads = [threading.Thread(target=worker) for _ in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise ImapError(errors[0])
    return time.perf_counter() - t0


def warm_up(server: Server, n: int) -> tuple[float, list[str]]:
    """Untimed first SELECT and fetches (index build / caches); checks counts."""
    t0 = time.perf_counter()
    problems = []
    c = server.connect()
    _, _, kept = c.cmd("SELECT INBOX", keep=True)
    exists = [int(l.split()[1]) for l in kept if l.endswith(b" EXISTS")]
    if not exists or exists[-1] != n:
        problems.append(f"{server.name}: SELECT INBOX shows {exists} EXISTS, expected {n}")
    for _ in range(2):
        _, cnt, _ = c.cmd(f"UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS ({HEADER_SYNC_FIELDS})])")
        if cnt != n:
            problems.append(f"{server.name}: header sync returned {cnt} FETCH responses, expected {n}")
        c.cmd("UID FETCH 1:* (FLAGS)")
    c.cmd("LOGOUT")
    c.close()
    return time.perf_counter() - t0, problems


def mailbox_workloads(n: int) -> list[tuple[str, str, str]]:
    # (name, command, description)
    return [
        ("select", "SELECT INBOX", f"SELECT of a {n}-message mailbox, fresh connection"),
        ("fetch-flags", "UID FETCH 1:* (FLAGS)", "UID FETCH 1:* (FLAGS)"),
        ("store-seen", "STORE 1:* +FLAGS.SILENT (\\Seen)", "STORE 1:* +FLAGS.SILENT (\\Seen)"),
        ("unstore-seen", "STORE 1:* -FLAGS.SILENT (\\Seen)", "STORE 1:* -FLAGS.SILENT (\\Seen) (restore)"),
        ("header-sync", f"UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS ({HEADER_SYNC_FIELDS})])",
         "Thunderbird header sync: UID FETCH 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (...)])"),
        # Issue 4's workloads: structure from the cache, searches, sorting, threading.
        ("bodystructure", "UID FETCH 1:* (BODYSTRUCTURE)", "UID FETCH 1:* (BODYSTRUCTURE)"),
        ("search-from", "UID SEARCH FROM \"example\"", "UID SEARCH FROM (header search)"),
        ("search-body", "UID SEARCH BODY \"zebra\"", "UID SEARCH BODY (full scan, no FTS index)"),
        ("sort-date", "UID SORT (DATE) UTF-8 ALL", "UID SORT (DATE) UTF-8 ALL"),
        ("thread-refs", "UID THREAD REFERENCES UTF-8 ALL", "UID THREAD REFERENCES UTF-8 ALL"),
    ]


def wait_idle(server: Server, quiet: float = 0.1, limit: float = 30.0) -> None:
    """Waits until the server has used no CPU for `quiet` seconds: work a
    server defers past its answer (Courriel renames files after STORE) is
    then counted in its CPU figure and never overlaps the next measurement."""
    deadline = time.monotonic() + limit
    last = server.cpu()
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = server.cpu()
        if now.ticks == last.ticks and now.live_ns - last.live_ns < 2_000_000:
            return
        last = now


def run_mailbox_op(server: Server, name: str, command: str, n: int) -> tuple[float, float]:
    c = server.connect()
    try:
        if name == "select":
            t = c.tag()
            c0 = server.cpu()
            t0 = time.perf_counter()
            c.send(t + b" SELECT INBOX\r\n")
            line, _, _ = c.wait(t)
            t1 = time.perf_counter()
            c1 = server.cpu()
            if not line.startswith(t + b" OK"):
                raise ImapError(f"SELECT failed: {line[:300]!r}")
        else:
            c.cmd("SELECT INBOX")
            t = c.tag()
            c0 = server.cpu()
            t0 = time.perf_counter()
            c.send(t + b" " + command.encode() + b"\r\n")
            line, cnt, _ = c.wait(t)
            t1 = time.perf_counter()
            wait_idle(server)
            c1 = server.cpu()
            if not line.startswith(t + b" OK"):
                raise ImapError(f"{command[:60]} failed: {line[:300]!r}")
            if name in ("fetch-flags", "header-sync", "bodystructure") and cnt != n:
                raise ImapError(f"{command[:60]}: {cnt} FETCH responses, expected {n}")
        c.cmd("LOGOUT", ok=False)
    finally:
        c.close()
    return t1 - t0, c1 - c0


# ---------------------------------------------------------------------------
# Report


def fmt_time(s: float) -> str:
    if s != s:
        return "-"
    if s < 0.001:  # SELECT: tenths of a millisecond would hide the ratio
        return f"{s * 1000:.3f} ms"
    if s < 1:
        return f"{s * 1000:.1f} ms"
    return f"{s:.2f} s"


def fmt_cpu(s: float, unit: str) -> str:
    if s != s:
        return "-"
    if unit == "msg":
        return f"{s * 1e6:.0f} µs/msg"
    return f"{s * 1000:.0f} ms/cmd" if s >= 0.1 else f"{s * 1000:.1f} ms/cmd"


def print_table(results: list[Result], servers: list[str], out=sys.stdout) -> None:
    a, b = "courriel", "dovecot"
    rows = [("workload", f"{a} median", f"{b} median", "ratio d/c", f"{a} CPU", f"{b} CPU", "reps")]
    for r in results:
        ma = median(r.wall.get(a, []))
        mb = median(r.wall.get(b, []))
        ca = median(r.cpu.get(a, []))
        cb = median(r.cpu.get(b, []))
        ta, tb = fmt_time(ma), fmt_time(mb)
        if r.unit == "msg":
            if ma == ma:
                ta += f" ({r.ops / ma:.0f}/s)"
            if mb == mb:
                tb += f" ({r.ops / mb:.0f}/s)"
        if a in r.errors:
            ta = "FAILED"
        if b in r.errors:
            tb = "FAILED"
        ratio = f"{mb / ma:.2f}" if ma == ma and mb == mb and ma > 0 else "-"
        reps = "/".join(str(len(r.wall.get(s, []))) for s in servers)
        rows.append((r.name, ta, tb, ratio, fmt_cpu(ca / r.ops if r.unit == "msg" else ca, r.unit),
                     fmt_cpu(cb / r.ops if r.unit == "msg" else cb, r.unit), reps))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))), file=out)
        if k == 0:
            print("  ".join("-" * w for w in widths), file=out)


def machine_line() -> str:
    return (f"machine: nproc={os.cpu_count()} kernel={platform.release()} "
            f"python={platform.python_version()} date={datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")


# ---------------------------------------------------------------------------


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=100000, help="messages in the large mailbox (default 100000)")
    ap.add_argument("--append-count", type=int, default=500,
                    help="APPENDs per append run (default 500: Dovecot with mail_fsync=always makes "
                    "20-40 APPENDs/s on this machine's disk; 2000 x 3 reps would take ~10 min)")
    ap.add_argument("--clients", default="1,8", help="concurrent clients for the APPEND workload (default 1,8)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions of each mailbox workload (default 5)")
    ap.add_argument("--append-reps", type=int, default=3, help="repetitions of each APPEND workload (default 3)")
    ap.add_argument("--only", default="", help="comma-separated workloads: append-cN, select, fetch-flags, "
                    "store-seen, unstore-seen, header-sync, bodystructure, search-from, search-body, sort-date, "
                    "thread-refs (prefix match: 'append' runs all append-cN)")
    ap.add_argument("--servers", default="courriel,dovecot", help="servers to run (default courriel,dovecot)")
    ap.add_argument("--json", help="write raw results to this file")
    ap.add_argument("--courriel", default=os.path.join(here, "..", "build", "courriel"), help="courriel binary")
    ap.add_argument("--dovecot", default="/usr/sbin/dovecot", help="dovecot binary")
    ap.add_argument("--dovecot-fsync", default="always", choices=("always", "optimized", "never"),
                    help="Dovecot mail_fsync (default always, the strictest)")
    ap.add_argument("--dovecot-populate", default="maildir", choices=("maildir", "append"),
                    help="how Dovecot's large mailbox is filled: Maildir files written directly and "
                    "indexed by Dovecot on the first SELECT (default), or MULTIAPPEND")
    ap.add_argument("--courriel-populate", default="append", choices=("append",),
                    help="how Courriel's large mailbox is filled (MULTIAPPEND batches)")
    ap.add_argument("--populate-connections", type=int, default=4,
                    help="connections used at once by an APPEND populate (default 4)")
    ap.add_argument("--workdir", help="parent of the temporary directory (default: $TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    servers_wanted = [s.strip() for s in args.servers.split(",") if s.strip()]
    for s in servers_wanted:
        if s not in ("courriel", "dovecot"):
            ap.error(f"unknown server {s}")
    clients = [int(x) for x in args.clients.split(",") if x.strip()]
    only = [x.strip() for x in args.only.split(",") if x.strip()]

    def wanted(name: str) -> bool:
        return not only or any(name == o or name.startswith(o) for o in only)

    append_names = [f"append-c{n}" for n in clients]
    mb_work = [w for w in mailbox_workloads(args.messages) if wanted(w[0])]
    append_work = [(n, name) for n, name in zip(clients, append_names) if wanted(name)]

    tmp = tempfile.mkdtemp(prefix="imap-bench-", dir=args.workdir)
    os.chmod(tmp, 0o755)
    servers: list[Server] = []
    results: list[Result] = []
    problems: list[str] = []
    timings: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    try:
        for s in servers_wanted:
            if s == "courriel":
                servers.append(Courriel(os.path.abspath(args.courriel), tmp))
            else:
                servers.append(Dovecot(args.dovecot, tmp, args.dovecot_fsync))
        for s in servers:
            s.start()
            check_literal_plus(s)
            log(f"{s.name} ready on 127.0.0.1:{s.port} (pid {s.pid}): {s.describe()}")
            c = s.connect()
            c.cmd("CREATE AppendBench")
            c.close()

        # 1. APPEND rate
        for nclients, name in append_work:
            r = Result(name, "msg", args.append_count)
            results.append(r)
            for rep in range(args.append_reps):
                for s in servers:
                    if s.name in r.errors:
                        continue
                    try:
                        w, cpu = run_append(s, nclients, args.append_count, "AppendBench", args.seed + rep)
                        r.add(s.name, w, cpu)
                        log(f"{name} rep {rep + 1} {s.name}: {w:.2f} s ({args.append_count / w:.0f} msg/s), cpu {cpu:.2f} s")
                    except Exception as e:  # noqa: BLE001
                        r.errors[s.name] = f"{type(e).__name__}: {e}"
                        problems.append(f"{name} on {s.name}: {r.errors[s.name]}\n{s.log_tail(15)}")
                        log(f"{name} rep {rep + 1} {s.name}: FAILED {e}")

        # 2. Large mailbox
        broken: set[str] = set()
        if mb_work:
            for s in servers:
                method = args.dovecot_populate if s.name == "dovecot" else args.courriel_populate
                log(f"populating {s.name} INBOX with {args.messages} messages ({method}) ...")
                cpu0 = s.cpu()
                try:
                    t = populate(s, args.messages, args.seed, method, args.populate_connections)
                    w, p = warm_up(s, args.messages)
                except Exception as e:  # noqa: BLE001
                    err = f"populate/warm-up failed: {type(e).__name__}: {e}"
                    problems.append(f"{s.name}: {err}\n{s.log_tail(15)}")
                    log(f"{s.name}: {err}")
                    broken.add(s.name)
                    continue
                cpu1 = s.cpu()
                timings[s.name] = {"populate_s": t, "first_select_and_fetches_s": w,
                                   "populate_server_cpu_s": cpu1 - cpu0}
                problems += p
                log(f"{s.name}: populate {t:.1f} s ({args.messages / t:.0f} msg/s), first SELECT + "
                    f"warm-up fetches {w:.1f} s, server CPU {cpu1 - cpu0:.1f} s")
                for pr in p:
                    log("  PROBLEM " + pr)
            # STORE +FLAGS and its restore -FLAGS alternate within each repetition
            # so that every STORE really changes 100% of the flags.
            commands = {w[0]: w[1] for w in mailbox_workloads(args.messages)}
            groups = [["select"], ["fetch-flags"], ["store-seen", "unstore-seen"], ["header-sync"],
                      ["bodystructure"], ["search-from"], ["search-body"], ["sort-date"],
                      ["thread-refs"]]
            groups = [g for g in groups if any(wanted(x) for x in g)]
            by_name = {}
            for g in groups:
                for name in g:
                    if wanted(name):
                        by_name[name] = Result(name, "cmd", 1)
                        results.append(by_name[name])
            for g in groups:
                for rep in range(args.reps):
                    for s in servers:
                        if s.name in broken:
                            continue
                        for name in g:
                            r = by_name.get(name)
                            if r is not None and s.name in r.errors:
                                continue
                            try:
                                w, cpu = run_mailbox_op(s, name, commands[name], args.messages)
                                if r is not None:
                                    r.add(s.name, w, cpu)
                                    log(f"{name} rep {rep + 1} {s.name}: {fmt_time(w)}, cpu {cpu:.3f} s")
                            except Exception as e:  # noqa: BLE001
                                err = f"{type(e).__name__}: {e}"
                                if r is not None:
                                    r.errors[s.name] = err
                                problems.append(f"{name} on {s.name}: {err}\n{s.log_tail(15)}")
                                log(f"{name} rep {rep + 1} {s.name}: FAILED {e}")
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception as e:  # noqa: BLE001
                log(f"stopping {s.name}: {e}")
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"IMAP benchmark: {args.messages} messages in the large mailbox, {args.append_count} APPENDs "
          f"of 4 KB per append run; medians of {args.reps} (mailbox) / {args.append_reps} (append) reps")
    for s in servers:
        print(f"  {s.name}: {s.describe()}")
    for name, t in timings.items():
        print(f"  populate {name}: {t['populate_s']:.1f} s ({args.messages / t['populate_s']:.0f} msg/s), "
              f"first SELECT + warm-up fetches {t['first_select_and_fetches_s']:.1f} s "
              f"(not scored)")
    print()
    print_table(results, [s.name for s in servers])
    print()
    print("ratio = dovecot median / courriel median (> 1: Courriel faster). CPU = server process CPU "
          "(user+sys) per operation, median, including work done after the answer (mailbox workloads wait "
          "for the server to go idle); Dovecot's counts all its processes.")
    print(machine_line())
    print(f"total run time {time.perf_counter() - started:.0f} s")
    if problems:
        print("\nPROBLEMS:")
        for p in problems:
            print("  " + p.replace("\n", "\n    "))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"messages": args.messages, "append_count": args.append_count,
                       "servers": {s.name: s.describe() for s in servers},
                       "populate": timings, "machine": machine_line(), "problems": problems,
                       "results": [{"name": r.name, "unit": r.unit, "ops": r.ops, "wall_s": r.wall,
                                    "cpu_s": r.cpu, "errors": r.errors} for r in results]}, f, indent=2)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
