"""The fixed 30-message mailbox of test_search_sort.py: varied addresses,
subjects (ASCII, encoded words, raw UTF-8), Date headers (time zones that
cross a day boundary), sizes, bodies (7bit, 8bit, base64, quoted-printable,
ISO-8859-1), flags and keywords, and explicit INTERNALDATEs so that both
servers see the same dates."""

import base64
import quopri

PEOPLE = [
    ('"Alice Martin"', "alice@example.org"),
    ("Bob Stone", "bob@example.net"),
    ("=?UTF-8?Q?=C3=89mile_Zola?=", "emile@example.fr"),
    ("zoé", "zoe@example.com"),
    ('"O\'Neil, Carl"', "carl@example.org"),
    ("", "dave@sub.example.com"),
    ("=?ISO-8859-1?Q?J=F6rg_M=FCller?=", "joerg@example.de"),
    ("Xavier", "xavier@example.org"),
]

SUBJECTS = [
    "Meeting notes", "Re: Meeting notes", "Fwd: Budget 2025", "[list] hello",
    "Café au lait", "ÉTÉ en France", "résumé of the week", "Re: re: Fwd: Meeting notes",
    "", None, "hello world", "HELLO again", "=?UTF-8?Q?Caf=C3=A9_cr=C3=A8me?=",
    "=?ISO-8859-1?Q?=C9t=E9_indien?=", "Budget 2025 (fwd)", "Re: [list] hello",
    "zebra", "apple pie", "Apple crumble", "=?UTF-8?B?0J/RgNC40LLQtdGC?=",
    "Meeting notes", "Re: hello world", "FW: zebra", "numbers 42", "a", "Z",
    "Re: Café au lait", "long " + "x" * 60, "tabs\tand  spaces", "Fwd: apple pie",
]

WORDS = ["apple", "banana", "cherry", "Grüße", "naïve", "élan", "secretword", "Zürich"]

TZS = ["+0000", "+0100", "-0800", "+0900", "-0500", "+0530"]


def flags_for(i):
    f = []
    if i % 2:
        f.append("\\Seen")
    if i % 3 == 0:
        f.append("\\Answered")
    if i % 5 == 0:
        f.append("\\Flagged")
    if i % 7 == 0:
        f.append("\\Deleted")
    if i % 11 == 0:
        f.append("\\Draft")
    if i % 4 == 0:
        f.append("$Work")
    if i % 6 == 1:
        f.append("Urgent")
    return f


def internaldate(i):
    day = 1 + (i * 3) % 12
    return f"{day:02d}-Nov-2025 {8 + i % 8:02d}:{i:02d}:00 +0000"


def message(i):
    name, addr = PEOPLE[i % len(PEOPLE)]
    to_name, to_addr = PEOPLE[(i + 3) % len(PEOPLE)]
    cc = PEOPLE[(i + 5) % len(PEOPLE)]
    subj = SUBJECTS[i % len(SUBJECTS)]
    day = 1 + i % 10
    hour = (i * 5) % 24
    tz = TZS[i % len(TZS)]
    h = []
    h.append(f"From: {name} <{addr}>" if name else f"From: {addr}")
    h.append(f"To: {to_name} <{to_addr}>" if to_name else f"To: {to_addr}")
    if i % 3 != 2:
        h.append(f"Cc: {cc[0]} <{cc[1]}>" if cc[0] else f"Cc: {cc[1]}")
    if i % 4 == 1:
        h.append(f"Bcc: hidden{i}@secret.example")
    if subj is not None:
        h.append(f"Subject: {subj}")
    if i != 9:  # message 10 has no Date: header (DATE sort falls back to INTERNALDATE)
        h.append(f"Date: {['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][(day + 4) % 7]}, "
                 f"{day:02d} Nov 2025 {hour:02d}:{(i * 7) % 60:02d}:00 {tz}")
    h.append(f"Message-ID: <m{i}@search.example>")
    if i % 5 == 2:
        h.append(f"X-Tag: group-{i % 3}")
    if i % 2 == 0:
        h.append(f"In-Reply-To: <m{max(i - 2, 0)}@search.example>")
        h.append(f"References: <m0@search.example> <m{max(i - 2, 0)}@search.example>")
    h.append("MIME-Version: 1.0")
    words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(3))
    text = f"Message {i}: {words}.\r\n" + ("filler line for size\r\n" * (i * 7))
    kind = i % 4
    if kind == 0:
        h.append("Content-Type: text/plain; charset=utf-8")
        h.append("Content-Transfer-Encoding: base64")
        b = base64.encodebytes(text.encode()).decode().replace("\n", "\r\n")
    elif kind == 1:
        h.append("Content-Type: text/plain; charset=iso-8859-1")
        h.append("Content-Transfer-Encoding: quoted-printable")
        b = quopri.encodestring(text.encode("latin-1", "replace").replace(b"\r\n", b"\n"))
        b = b.decode("ascii").replace("\n", "\r\n")
    elif kind == 2:
        h.append("Content-Type: text/plain; charset=utf-8")
        h.append("Content-Transfer-Encoding: 8bit")
        b = text
    else:
        h.append("Content-Type: multipart/alternative; boundary=bb")
        b = ("--bb\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: "
             "quoted-printable\r\n\r\n"
             + quopri.encodestring(text.encode().replace(b"\r\n", b"\n")).decode().replace("\n", "\r\n")
             + "\r\n--bb\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html only word "
             f"kiwi{i}</p>\r\n--bb--\r\n")
    return ("\r\n".join(h) + "\r\n\r\n" + b).encode("utf-8")


def messages():
    return [(message(i), flags_for(i), internaldate(i)) for i in range(30)]
