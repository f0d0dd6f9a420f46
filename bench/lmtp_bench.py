#!/usr/bin/python3
"""LMTP delivery benchmark: Courriel against Dovecot's LMTP with Pigeonhole, one run.

Starts a private Courriel (`courriel serve`, LMTP on) and a private Dovecot
(`dovecot -F`, protocols imap lmtp, the sieve plugin for LMTP) on free loopback
ports with fresh data directories, gives each workload its own user on both
servers with the same 20-rule Sieve script, and delivers the same messages to
both with smtplib.LMTP: 1 and 8 concurrent connections, 4 KB and 100 KB
messages, each connection sending its share one transaction (one recipient) at
a time. Repetitions are
interleaved; the table shows medians, the ratio dovecot/courriel (> 1 means
Courriel is faster) and the server CPU per delivery.

After every repetition the mailboxes are counted on both servers (Courriel over
IMAP, Dovecot from its Maildir files): each must have exactly the messages sent,
and both must have filed them alike (the same count in each folder, the same
number flagged), so a server that drops mail or skips the script cannot win.

Standard library only. Shares its servers, CPU accounting, message factory and
table with imap_bench.py (imported from the same directory). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imap_bench as ib  # noqa: E402  (shared helpers: servers, CPU, messages, table)
from imap_bench import PASSWORD, Imap, ImapError, MessageFactory, Result, log, median  # noqa: E402

DOMAIN = "localhost"  # Courriel's auth.default_domain; Dovecot strips it (auth_username_format)
SCRIPT_NAME = "filters"

# 20 rules, the kind people write: spam and bounce catchers, list and report
# folders, invoices, flags for tickets, priorities and invitations. On the
# benchmark's messages (imap_bench.MessageFactory) about 9% are filed into a
# folder and 10% flagged \Flagged (more get keywords); the rest fall through to
# the implicit keep.
SIEVE_SCRIPT = r'''require ["fileinto", "imap4flags", "envelope"];

# 1-5: junk and bounces
if header :contains "X-Spam-Flag" "YES" { fileinto "Junk"; stop; }
if header :contains "subject" ["viagra", "lottery", "you have won", "casino"] { fileinto "Junk"; stop; }
if address :domain :is "from" ["spam.example", "bulk.example"] { fileinto "Junk"; stop; }
if envelope :domain :is "from" "bounces.example.com" { fileinto "Bounces"; stop; }
if address :localpart :is "from" ["mailer-daemon", "postmaster"] { fileinto "Bounces"; stop; }

# 6-9: mailing lists
if header :contains "List-Id" "announce.lists.example.net" { fileinto "Lists"; stop; }
if header :contains "subject" "[announce]" { fileinto "Lists"; stop; }
if exists "List-Unsubscribe" { fileinto "Lists"; stop; }
if header :contains "subject" ["newsletter", "unsubscribe"] { fileinto "Lists"; stop; }

# 10-14: work
if allof (header :contains "subject" "[ops]", address :domain :is "from" "corp.example") {
  fileinto "Ops"; stop;
}
if allof (header :contains "subject" "facture", address :domain :is "from" "mail.example.fr") {
  addflag "$Invoice"; fileinto "Invoices"; stop;
}
if allof (header :matches "subject" "Weekly * report", address :domain :is "from" "example.com") {
  fileinto "Reports"; stop;
}
if address :is "to" ["boss@corp.example", "ceo@corp.example"] { fileinto "Work"; stop; }
if allof (address :domain :is "from" "example.org", header :contains "subject" "budget") {
  fileinto "Work"; stop;
}

# 15-17: big mail
if size :over 500K { fileinto "Archive"; stop; }
if size :over 10M { discard; stop; }
if header :contains "Content-Type" "multipart/mixed" { addflag "$Attachment"; }

# 18-20: flags on mail that stays in INBOX
if header :matches "subject" "Ticket #*" { addflag "$Ticket"; }
if header :contains "X-Priority" "1" { addflag "\\Flagged"; }
if header :contains "subject" "Invitation:" { addflag "$Meeting"; }

stop;
'''
FOLDERS = ["Junk", "Bounces", "Lists", "Ops", "Invoices", "Reports", "Work", "Archive"]
FLAGGED = "\\Flagged"  # counted beside the folders


def make_messages(seed: int, count: int, size: int) -> list[tuple[str, bytes]]:
    """(envelope sender, message) pairs; the factory's stored Return-Path is dropped
    (the delivering server writes its own)."""
    fac = MessageFactory(seed)
    out = []
    for _ in range(count):
        msg, _ = fac.make(size)
        if msg.startswith(b"Return-Path:"):
            msg = msg[msg.index(b"\r\n") + 2:]
        m = re.search(rb"\r\nFrom: [^\r]*<([^>]+)>", b"\r\n" + msg)
        out.append((m.group(1).decode() if m else "sender@example.org", msg))
    return out


# ---------------------------------------------------------------------------
# Servers: imap_bench's, with LMTP and Sieve added, and one user per workload


def wait_port(port: int, proc, what: str, log_tail, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited:\n{log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                if s.recv(512).startswith(b"220"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what}: no LMTP greeting on {port} after {timeout:.0f} s:\n{log_tail()}")


def imap_login(server, user: str) -> Imap:
    c = Imap(server.port)
    c.cmd(f"LOGIN {user} {PASSWORD}")
    return c


def create_folders(server, user: str) -> None:
    """The script's fileinto targets exist on both servers (no :create)."""
    c = imap_login(server, user)
    try:
        for folder in FOLDERS:
            line, _, _ = c.cmd(f"CREATE {folder}", ok=False)
            if b" OK" not in line and b"ALREADYEXISTS" not in line.upper():
                raise ImapError(f"{server.name}: CREATE {folder}: {line!r}")
    finally:
        c.close()


class Courriel(ib.Courriel):
    def __init__(self, binary: str, root: str, script: str):
        super().__init__(binary, root)
        self.lmtp_port = ib.free_port()
        self.script_file = os.path.join(self.root, "filters.sieve")
        with open(self.script_file, "w") as f:
            f.write(script)
        with open(self.config, "a") as f:
            f.write(f'[lmtp]\nlisten = "127.0.0.1:{self.lmtp_port}"\n')

    def start(self) -> None:
        super().start()  # adds imap_bench's user, starts the server
        wait_port(self.lmtp_port, self.proc, "courriel", self.log_tail)

    def _cli(self, *args: str, stdin: str | None = None) -> None:
        r = subprocess.run([self.binary, *args, "--config", self.config], input=stdin,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"courriel {' '.join(args[:2])} failed ({r.returncode}): {r.stderr.strip()}")

    def add_user(self, user: str) -> None:
        """`courriel user add`, then the script made active with
        `courriel sieve put` + `courriel sieve activate`; the folders over IMAP."""
        self._cli("user", "add", user, "--password-stdin", stdin=PASSWORD + "\n")
        self._cli("sieve", "put", user, SCRIPT_NAME, self.script_file)
        self._cli("sieve", "activate", user, SCRIPT_NAME)
        create_folders(self, user)

    def describe(self) -> str:
        return super().describe() + ", Sieve script via `courriel sieve put/activate`"

    def distribution(self, user: str) -> dict[str, int]:
        """Messages per mailbox and the number flagged, over IMAP."""
        c = imap_login(self, user)
        try:
            _, _, lines = c.cmd('LIST "" "*"', keep=True)
            names = []
            for line in lines:
                m = re.match(rb'\* LIST \([^)]*\) (?:NIL|"[^"]*") (.*)$', line)
                if m:
                    n = m.group(1)
                    names.append(n[1:-1].decode() if n.startswith(b'"') else n.decode())
            out: dict[str, int] = {}
            for n in names:
                _, _, st = c.cmd(f'STATUS "{n}" (MESSAGES)', keep=True)
                for line in st:
                    m = re.search(rb"\(MESSAGES (\d+)\)", line)
                    if m and int(m.group(1)):
                        out[n] = int(m.group(1))
                if out.get(n):
                    c.cmd(f'EXAMINE "{n}"')
                    _, _, res = c.cmd("SEARCH FLAGGED", keep=True)
                    k = sum(len(l.split()) - 2 for l in res if l.startswith(b"* SEARCH"))
                    if k:
                        out[FLAGGED] = out.get(FLAGGED, 0) + k
            return out
        finally:
            c.close()


class Dovecot(ib.Dovecot):
    def __init__(self, binary: str, root: str, fsync: str, script: str, users: list[str]):
        super().__init__(binary, root, fsync)
        self.lmtp_port = ib.free_port()
        # Users are written before the start: Dovecot rereads a changed passwd-file
        # at most once a second, so one appended later may not be seen yet.
        for user in users:
            home = os.path.join(self.mail, user)
            sieve_dir = os.path.join(home, "sieve")
            os.makedirs(sieve_dir)
            path = os.path.join(sieve_dir, "active.sieve")
            with open(path, "w") as f:
                f.write(script)
            for p in (home, sieve_dir, path):
                os.chown(p, self.uid, self.gid)
            with open(os.path.join(self.root, "users"), "a") as f:
                f.write(f"{user}:{{PLAIN}}{PASSWORD}:{self.uid}:{self.gid}::{home}\n")
        with open(self.config) as f:
            conf = f.read()
        if "\nprotocols = imap\n" not in conf:
            raise RuntimeError("imap_bench's Dovecot config changed: no 'protocols = imap' line")
        conf = conf.replace("\nprotocols = imap\n", "\nprotocols = imap lmtp\n")
        conf += f"""# LMTP with Pigeonhole (added by bench/lmtp_bench.py)
# RCPT TO:<user@localhost> is looked up as 'user', as IMAP logs in.
auth_username_format = %Ln
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {self.lmtp_port}
  }}
}}
protocol lmtp {{
  mail_plugins = $mail_plugins sieve
}}
plugin {{
  sieve = file:%h/sieve/active.sieve
}}
"""
        with open(self.config, "w") as f:
            f.write(conf)

    def start(self) -> None:
        super().start()
        wait_port(self.lmtp_port, self.proc, "dovecot", self.log_tail)

    def add_user(self, user: str) -> None:
        """The user and the script are in place since __init__: the folders."""
        create_folders(self, user)

    def describe(self) -> str:
        return super().describe() + ", LMTP + Pigeonhole (sieve = file:%h/sieve/active.sieve)"

    def distribution(self, user: str) -> dict[str, int]:
        """Messages per mailbox and the number flagged, from the Maildir files."""
        out: dict[str, int] = {}
        maildir = os.path.join(self.mail, user, "Maildir")
        if not os.path.isdir(maildir):
            return out
        folders = [("INBOX", maildir)] + [
            (d[1:], os.path.join(maildir, d)) for d in sorted(os.listdir(maildir))
            if d.startswith(".") and os.path.isdir(os.path.join(maildir, d))]
        for name, path in folders:
            n = 0
            for sub in ("cur", "new"):
                try:
                    files = os.listdir(os.path.join(path, sub))
                except FileNotFoundError:
                    continue
                for fn in files:
                    if fn.startswith("."):
                        continue
                    n += 1
                    if ":2," in fn and "F" in fn.rsplit(":2,", 1)[1]:
                        out[FLAGGED] = out.get(FLAGGED, 0) + 1
            if n:
                out[name] = n
        return out


# ---------------------------------------------------------------------------
# Delivery


def lmtp_connect(port: int) -> smtplib.LMTP:
    c = smtplib.LMTP("127.0.0.1", port, timeout=300)
    code, msg = c.ehlo("bench.client")  # LHLO
    if code != 250:
        raise RuntimeError(f"LHLO refused: {code} {msg!r}")
    return c


def deliver(server, user: str, msgs: list[tuple[str, bytes]], clients: int) -> tuple[float, float, float]:
    """Delivers msgs to user@localhost over `clients` connections at once (message i
    on connection i mod clients); returns (wall seconds, server CPU seconds, client CPU seconds:
    this process, to see when the client itself is the limit)."""
    shares = [msgs[i::clients] for i in range(clients)]
    rcpt = f"{user}@{DOMAIN}"
    conns = [lmtp_connect(server.lmtp_port) for _ in range(clients)]

    def job(c: smtplib.LMTP, share):
        def send_all() -> None:
            for sender, msg in share:
                refused = c.sendmail(sender, [rcpt], msg)
                if refused:
                    raise RuntimeError(f"refused: {refused}")
        return send_all

    wall, cpu, client_cpu, errors = ib.run_concurrently(server, [job(c, s) for c, s in zip(conns, shares)])
    for c in conns:
        try:
            c.quit()
        except (smtplib.SMTPException, OSError):
            c.close()
    if errors:
        raise RuntimeError(errors[0])
    return wall, cpu, client_cpu


def user_of(workload: str) -> str:
    return workload.replace("-", "")


def delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    keys = set(after) | set(before)
    return {k: after.get(k, 0) - before.get(k, 0) for k in sorted(keys) if after.get(k, 0) != before.get(k, 0)}


def fmt_dist(d: dict[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(d.items(), key=lambda kv: (kv[0] != "INBOX", kv[0]))) or "-"


def parse_size(s: str) -> int:
    s = s.strip().lower()
    mult = 1
    if s.endswith("k"):
        mult, s = 1024, s[:-1]
    elif s.endswith("m"):
        mult, s = 1 << 20, s[:-1]
    return int(s) * mult


def size_label(n: int) -> str:
    return f"{n >> 20}m" if n % (1 << 20) == 0 else f"{n >> 10}k" if n % 1024 == 0 else str(n)


# ---------------------------------------------------------------------------


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000,
                    help="deliveries per run of a workload (default 1000; 100 KB runs write 100 MB per "
                    "server and repetition)")
    ap.add_argument("--clients", default="1,8", help="concurrent LMTP connections (default 1,8)")
    ap.add_argument("--sizes", default="4k,100k", help="message sizes (default 4k,100k)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each workload (default 3)")
    ap.add_argument("--only", default="", help="comma-separated workloads, e.g. lmtp-4k-c1,lmtp-100k "
                    "(prefix match)")
    ap.add_argument("--servers", default="courriel,dovecot", help="servers to run (default courriel,dovecot)")
    ap.add_argument("--filing-check", default="strict", choices=("strict", "warn"),
                    help="when the servers filed the same messages differently (different Sieve results): "
                    "a problem, exit status 1 (strict, default) or a warning only (warn)")
    ap.add_argument("--script", help="Sieve script to use instead of the built-in 20 rules")
    ap.add_argument("--json", help="write raw results to this file")
    ap.add_argument("--courriel", default=os.path.join(here, "..", "build", "courriel"), help="courriel binary")
    ap.add_argument("--dovecot", default="/usr/sbin/dovecot", help="dovecot binary")
    ap.add_argument("--dovecot-fsync", default="always", choices=("always", "optimized", "never"),
                    help="Dovecot mail_fsync (default always: like Courriel, 250 only once on disk)")
    ap.add_argument("--workdir", help="parent of the temporary directory (default: $TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    servers_wanted = [s.strip() for s in args.servers.split(",") if s.strip()]
    for s in servers_wanted:
        if s not in ("courriel", "dovecot"):
            ap.error(f"unknown server {s}")
    clients = [int(x) for x in args.clients.split(",") if x.strip()]
    sizes = [parse_size(x) for x in args.sizes.split(",") if x.strip()]
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    script = SIEVE_SCRIPT
    if args.script:
        with open(args.script) as f:
            script = f.read()
    work = [(f"lmtp-{size_label(sz)}-c{n}", sz, n) for sz in sizes for n in clients]
    work = [w for w in work if not only or any(w[0] == o or w[0].startswith(o) for o in only)]
    if not work:
        ap.error("no workload selected")

    tmp = tempfile.mkdtemp(prefix="lmtp-bench-", dir=args.workdir)
    os.chmod(tmp, 0o755)
    servers = []
    results: list[Result] = []
    problems: list[str] = []
    warnings: list[str] = []
    filing: dict[str, dict[str, dict[str, int]]] = {}  # workload -> server -> summed deltas
    started = time.perf_counter()
    try:
        for s in servers_wanted:
            if s == "courriel":
                servers.append(Courriel(os.path.abspath(args.courriel), tmp, script))
            else:
                servers.append(Dovecot(args.dovecot, tmp, args.dovecot_fsync, script,
                                       [user_of(w[0]) for w in work]))
        for s in servers:
            s.start()
            log(f"{s.name} ready, LMTP on 127.0.0.1:{s.lmtp_port} (pid {s.pid}): {s.describe()}")

        for name, size, nclients in work:
            r = Result(name, "msg", args.count)
            results.append(r)
            filing[name] = {}
            # Each workload has its own user, so that its figures do not depend on
            # what ran before (the mailbox grows by count x reps within it).
            user = user_of(name)
            state: dict[str, dict[str, int]] = {}
            for s in servers:
                try:
                    s.add_user(user)
                    # Untimed warm-up: opens the index, compiles the script
                    # (Pigeonhole writes its .svbin on the first delivery).
                    deliver(s, user, make_messages(args.seed - 1, 20, 4096), 1)
                    state[s.name] = s.distribution(user)
                    if sum(v for k, v in state[s.name].items() if k != FLAGGED) != 20:
                        raise RuntimeError(f"warm-up delivered 20 messages, mailboxes hold {state[s.name]}")
                except Exception as e:  # noqa: BLE001
                    r.errors[s.name] = f"set-up: {type(e).__name__}: {e}"
                    problems.append(f"{name} on {s.name}: {r.errors[s.name]}\n{s.log_tail(15)}")
                    log(f"{name} {s.name}: set-up FAILED {e}")
            for rep in range(args.reps):
                msgs = make_messages(args.seed + 1000 * rep + size + nclients, args.count, size)
                order = servers if rep % 2 == 0 else servers[::-1]
                rep_deltas: dict[str, dict[str, int]] = {}
                for s in order:
                    if s.name in r.errors:
                        continue
                    try:
                        w, cpu, client_cpu = deliver(s, user, msgs, nclients)
                    except Exception as e:  # noqa: BLE001
                        r.errors[s.name] = f"{type(e).__name__}: {e}"
                        problems.append(f"{name} on {s.name}: {r.errors[s.name]}\n{s.log_tail(15)}")
                        log(f"{name} rep {rep + 1} {s.name}: FAILED {e}")
                        continue
                    after = s.distribution(user)
                    d = delta(after, state[s.name])
                    state[s.name] = after
                    rep_deltas[s.name] = d
                    got = sum(v for k, v in d.items() if k != FLAGGED)
                    if got != args.count:
                        r.errors[s.name] = f"delivered {args.count}, mailboxes gained {got}: {fmt_dist(d)}"
                        problems.append(f"{name} rep {rep + 1} on {s.name}: {r.errors[s.name]}")
                        log(f"{name} rep {rep + 1} {s.name}: COUNT WRONG {fmt_dist(d)}")
                        continue
                    r.add(s.name, w, cpu)
                    r.note.setdefault(s.name, []).append(client_cpu)
                    agg = filing[name].setdefault(s.name, {})
                    for k, v in d.items():
                        agg[k] = agg.get(k, 0) + v
                    log(f"{name} rep {rep + 1} {s.name}: {w:.2f} s ({args.count / w:.0f} msg/s), "
                        f"cpu {cpu * 1e6 / args.count:.0f} µs/msg (client {client_cpu * 1e6 / args.count:.0f}); "
                        f"{fmt_dist(d)}")
                if len(rep_deltas) == 2 and len(set(json.dumps(v, sort_keys=True) for v in rep_deltas.values())) > 1:
                    msg = (f"{name} rep {rep + 1}: the servers filed the same messages differently: "
                           + "; ".join(f"{k}: {fmt_dist(v)}" for k, v in rep_deltas.items()))
                    (problems if args.filing_check == "strict" else warnings).append(msg)
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
    print(f"LMTP benchmark: {args.count} deliveries per run (one recipient, one transaction each, "
          f"smtplib.LMTP), a {sum(1 for l in script.splitlines() if l.lstrip().startswith('if '))}-rule "
          f"Sieve script on both; medians of {args.reps} reps")
    for s in servers:
        print(f"  {s.name}: {s.describe()}")
    print()
    ib.print_table(results, [s.name for s in servers])
    print()
    names = [s.name for s in servers]
    if names == ["courriel", "dovecot"]:
        for r in results:
            mc, md = median(r.wall.get("courriel", [])), median(r.wall.get("dovecot", []))
            target = 5.0 if r.name.startswith("lmtp-4k-") else 2.0
            if mc == mc and md == md:
                ratio = md / mc
                print(f"  {r.name}: ratio {ratio:.2f}, target >= {target:g}: "
                      f"{'met' if ratio >= target else 'NOT met'}")
        print()
    print("client CPU per delivery (median; the Python client shares the machine's cores):")
    for r in results:
        print(f"  {r.name}: " + ", ".join(f"{s} {median(v) * 1e6 / r.ops:.0f} µs/msg" for s, v in r.note.items()))
    print()
    print("filing (messages per mailbox, all reps; \\Flagged = flagged messages):")
    for name, per in filing.items():
        for s, d in per.items():
            print(f"  {name:<16} {s:<9} {fmt_dist(d)}")
    print()
    print("ratio = dovecot median / courriel median (> 1: Courriel faster). CPU = server process CPU "
          "(user+sys) per delivery, median; Dovecot's counts all its processes (lmtp, auth, ...).")
    print(ib.machine_line())
    print(f"total run time {time.perf_counter() - started:.0f} s")
    if warnings:
        print("\nWARNINGS:")
        for p in warnings:
            print("  " + p.replace("\n", "\n    "))
    if problems:
        print("\nPROBLEMS:")
        for p in problems:
            print("  " + p.replace("\n", "\n    "))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"count": args.count, "servers": {s.name: s.describe() for s in servers},
                       "machine": ib.machine_line(), "problems": problems, "warnings": warnings,
                       "filing": filing,
                       "results": [{"name": r.name, "unit": r.unit, "ops": r.ops, "wall_s": r.wall,
                                    "cpu_s": r.cpu, "client_cpu_s": r.note, "errors": r.errors}
                                   for r in results]}, f, indent=2)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
