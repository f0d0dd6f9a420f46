"""mbsync (isync) synchronising an account with a local Maildir both ways:
new messages, flags and deletions on either side propagate, new folders are
created on both sides, and after every run the server's UIDs, flags and
counts agree with the local Maildir and mbsync's own sync state."""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from msg_imap import Imap, fetches, make_message, new_user

MBSYNC = shutil.which("mbsync")
pytestmark = pytest.mark.skipif(MBSYNC is None, reason="mbsync (isync) not installed; "
                                "run scripts/install-deps test")

LETTERS = {"D": "\\Draft", "F": "\\Flagged", "R": "\\Answered", "S": "\\Seen", "T": "\\Deleted"}


# isync 1.4 (Debian bookworm) spells the plain-text setting "SSLType None";
# 1.5 renamed it TLSType and still accepts SSLType.
class Sync:
    def __init__(self, server, user, tmp_path):
        self.server = server
        self.user = user
        self.local = tmp_path / "local"
        self.local.mkdir()
        self.config = tmp_path / "mbsyncrc"
        self.config.write_text(f"""\
IMAPAccount courriel
Host 127.0.0.1
Port {server.imap_port}
User {user}
Pass secret
SSLType None
AuthMechs LOGIN
Timeout 20

IMAPStore remote
Account courriel

MaildirStore local
Path {self.local}/
Inbox {self.local}/INBOX
SubFolders Verbatim

Channel courriel
Far :remote:
Near :local:
Patterns *
Sync All
Create Both
Remove None
Expunge Both
SyncState *
""")

    def run(self):
        r = subprocess.run([MBSYNC, "-c", str(self.config), "-a"], capture_output=True,
                           text=True, timeout=60, env={**os.environ, "HOME": str(self.local.parent)})
        assert r.returncode == 0, f"mbsync failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        return r

    def folder(self, mailbox):
        return self.local / ("INBOX" if mailbox == "INBOX" else mailbox)

    def local_state(self, mailbox):
        """{near_uid: (flags, message_id, path)} of the local folder."""
        out = {}
        d = self.folder(mailbox)
        for sub in ("cur", "new"):
            for name in sorted(os.listdir(d / sub)):
                m = re.search(r",U=(\d+)", name)
                assert m, f"local file without a UID: {sub}/{name}"
                letters = name.split(":2,", 1)[1] if ":2," in name else ""
                flags = {LETTERS[x] for x in letters if x in LETTERS}
                out[int(m.group(1))] = (flags, message_id((d / sub / name).read_bytes()),
                                        d / sub / name)
        return out

    def sync_state(self, mailbox):
        """mbsync's pairs: {far_uid: near_uid} (entries present on both sides)."""
        text = (self.folder(mailbox) / ".mbsyncstate").read_text()
        head, _, body = text.partition("\n\n")
        pairs = {}
        for line in body.splitlines():
            parts = line.split()
            if len(parts) >= 2 and int(parts[0]) > 0 and int(parts[1]) > 0:
                pairs[int(parts[0])] = int(parts[1])
        return head, pairs


def message_id(data):
    m = re.search(rb"(?im)^Message-ID:\s*(<[^>]*>)", data)
    return m.group(1).decode() if m else None


def server_state(c, mailbox):
    """{uid: (flags, message_id)} of mailbox, via a raw session."""
    c.select(mailbox, examine=True)
    f = c.fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (Message-ID)])", uid=True)
    out = {}
    for d in f.values():
        (hdr,) = [v for k, v in d.items() if k.startswith("BODY[HEADER.FIELDS")]
        out[d["UID"]] = (set(d["FLAGS"]) - {"\\Recent"}, message_id(hdr))
    c.ok("CLOSE")
    return out


def assert_agree(sync, c, mailbox):
    """The server's mailbox and the local folder hold the same messages
    (paired by mbsync's state, UID for UID) with the same flags."""
    srv = server_state(c, mailbox)
    loc = sync.local_state(mailbox)
    _, pairs = sync.sync_state(mailbox)
    assert len(srv) == len(loc), (mailbox, srv, loc)
    assert set(pairs) == set(srv), (mailbox, pairs, srv)
    assert set(pairs.values()) == set(loc), (mailbox, pairs, loc)
    for far, near in pairs.items():
        sflags, smid = srv[far]
        lflags, lmid, _ = loc[near]
        assert smid == lmid, (mailbox, far, near, smid, lmid)
        assert sflags & set(LETTERS.values()) == lflags, (mailbox, far, sflags, lflags)
        assert not (sflags & {"\\Deleted"}), (mailbox, far, sflags)
    return srv, loc


def snapshot(sync, c, mailboxes):
    return {mb: (server_state(c, mb),
                 sorted(p.name for _, _, p in sync.local_state(mb).values()))
            for mb in mailboxes}


def drop_local(folder, name, data, flags=""):
    """A message delivered into a local Maildir folder by another program."""
    tmp = folder / "tmp" / name
    tmp.write_bytes(data)
    if flags:
        os.rename(tmp, folder / "cur" / f"{name}:2,{flags}")
    else:
        os.rename(tmp, folder / "new" / name)


def test_mbsync_two_way(server, tmp_path):
    user = new_user(server, prefix="mbs")
    sync = Sync(server, user, tmp_path)
    c = Imap(server, user, "secret")
    try:
        # Mail on the server first.
        c.append("INBOX", make_message("srv plain"))
        c.append("INBOX", make_message("srv seen"), flags=["\\Seen"])
        c.append("INBOX", make_message("srv flagged"), flags=["\\Flagged", "\\Seen"])
        c.append("Sent", make_message("srv sent"), flags=["\\Seen"])
        c.ok("CREATE Projets")
        c.append("Projets", make_message("srv project"), flags=["\\Answered", "\\Seen"])
        boxes = ["INBOX", "Sent", "Projets"]

        sync.run()
        for mb in boxes:
            assert_agree(sync, c, mb)
        assert len(sync.local_state("INBOX")) == 3
        assert {m for _, m, _ in sync.local_state("Projets").values()} == {
            message_id(make_message("srv project"))}

        # A second run with no changes changes nothing.
        before = snapshot(sync, c, boxes)
        sync.run()
        assert snapshot(sync, c, boxes) == before

        # New local mail (and a new local folder) reach the server.
        uidnext = c.status("INBOX", "UIDNEXT")["UIDNEXT"]
        drop_local(sync.folder("INBOX"), f"{int(time.time())}.1.local", make_message("loc new"))
        drop_local(sync.folder("INBOX"), f"{int(time.time())}.2.local",
                   make_message("loc seen"), flags="S")
        newdir = sync.folder("Lokal")
        for sub in ("cur", "new", "tmp"):
            (newdir / sub).mkdir(parents=True)
        drop_local(newdir, f"{int(time.time())}.3.local", make_message("loc folder"), flags="FS")
        sync.run()
        boxes.append("Lokal")
        srv, _ = assert_agree(sync, c, "INBOX")
        assert len(srv) == 5
        ids = {mid: (uid, fl) for uid, (fl, mid) in srv.items()}
        assert ids[message_id(make_message("loc new"))][0] >= uidnext
        assert ids[message_id(make_message("loc seen"))][1] == {"\\Seen"}
        srv, _ = assert_agree(sync, c, "Lokal")
        assert [fl for fl, _ in srv.values()] == [{"\\Flagged", "\\Seen"}]
        log = server.stderr()
        assert re.search(rf"user={user}@\S+ .*cmd=(UID )?APPEND result=OK", log)

        # Flags changed on each side propagate.
        c.select("INBOX")
        uid_plain = ids[message_id(make_message("srv plain"))][0]
        c.ok(f"UID STORE {uid_plain} +FLAGS (\\Flagged \\Answered)")
        c.ok("CLOSE")
        loc = sync.local_state("INBOX")
        (path,) = [p for _, m, p in loc.values() if m == message_id(make_message("srv seen"))]
        os.rename(path, str(path).replace(":2,S", ":2,FS"))
        sync.run()
        srv, loc = assert_agree(sync, c, "INBOX")
        ids = {mid: (uid, fl) for uid, (fl, mid) in srv.items()}
        assert ids[message_id(make_message("srv plain"))][1] == {"\\Flagged", "\\Answered"}
        assert ids[message_id(make_message("srv seen"))][1] == {"\\Flagged", "\\Seen"}

        # Deletions on each side propagate.
        c.select("INBOX")
        uid_gone = ids[message_id(make_message("srv flagged"))][0]
        c.ok(f"UID STORE {uid_gone} +FLAGS.SILENT (\\Deleted)")
        c.ok(f"UID EXPUNGE {uid_gone}")
        c.ok("CLOSE")
        (path,) = [p for _, m, p in sync.local_state("INBOX").values()
                   if m == message_id(make_message("loc new"))]
        os.unlink(path)
        (path,) = [p for _, _, p in sync.local_state("Projets").values()]
        os.rename(path, str(path) + "T")  # marked deleted locally: expunged both sides
        sync.run()
        srv, loc = assert_agree(sync, c, "INBOX")
        mids = {mid for _, mid in srv.values()}
        assert message_id(make_message("srv flagged")) not in mids
        assert message_id(make_message("loc new")) not in mids
        assert len(srv) == 3
        srv, loc = assert_agree(sync, c, "Projets")
        assert srv == {} and loc == {}

        # And once more: a run with no changes changes nothing.
        before = snapshot(sync, c, boxes)
        sync.run()
        assert snapshot(sync, c, boxes) == before
        for mb in boxes:
            assert_agree(sync, c, mb)
    finally:
        c.close()
