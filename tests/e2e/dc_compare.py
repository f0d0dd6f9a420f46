"""Helpers shared by the Courriel-vs-Dovecot comparison tests
(test_fetch_structure.py, test_search_sort.py): corpus loading, a fixed
INTERNALDATE, response helpers, and the BODYSTRUCTURE / ENVELOPE
normalisations (each documented where it is applied)."""

import re
import urllib.parse
from pathlib import Path

from msg_imap import parse

CORPUS = Path(__file__).resolve().parent / "corpus"
INTERNALDATE = "01-Nov-2025 10:00:00 +0000"


def corpus_files():
    return sorted(CORPUS.glob("*.eml"))


def status_of(tagged):
    """'OK' / 'NO' / 'BAD' (plus a response code like [UNKNOWN-CTE]) of a tagged line."""
    parts = tagged.split(" ", 2)
    st = parts[1] if len(parts) > 1 else "?"
    m = re.match(r"\[([A-Z-]+)", parts[2] if len(parts) > 2 else "")
    return st + (f" [{m.group(1)}]" if m and st != "OK" else "")


def fetch_one(client, seq, item, uid=False):
    """FETCH one item of one message: (status, value) where value is the
    parsed value of the (single) item returned, or None on NO/BAD."""
    responses, tagged = client.cmd(("UID " if uid else "") + f"FETCH {seq} ({item})")
    st = status_of(tagged)
    if not st.startswith("OK"):
        return st, None
    for t in responses:
        if len(t) >= 4 and t[0] == b"*" and isinstance(t[2], bytes) and t[2].upper() == b"FETCH":
            items = t[3]
            for i in range(0, len(items), 2):
                name = items[i].upper()
                if name in (b"UID", b"FLAGS"):
                    continue
                return st, items[i + 1]
    return st, "<no FETCH response>"


def show(v, limit=600):
    s = repr(v)
    return s if len(s) <= limit else s[:limit] + f"...({len(s)} chars)"


# ---------------------------------------------------------------------------
# RFC 2231 (for the comparison only; Courriel already decodes)


def _decode_2231(value):
    """charset'lang'%XX-value -> str (UTF-8 in bytes)."""
    m = re.match(rb"([^']*)'([^']*)'(.*)$", value, re.S)
    if not m:
        return value
    cs = (m.group(1) or b"us-ascii").decode("ascii", "replace")
    raw = urllib.parse.unquote_to_bytes(m.group(3).decode("latin-1"))
    try:
        return raw.decode(cs).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return value


def norm_params(params, text_type=False):
    """Parameter list -> sorted list of (lower-cased name, value) pairs.

    Normalisations (all RFC-permitted):
    * attribute names are case-insensitive (RFC 2045 §5.1) -> lower-cased;
      the charset value is case-insensitive too (RFC 2046 §4.1.2);
    * RFC 2231 values: RFC 9051 §7.5.2 says servers SHOULD decode them
      (a SHOULD, and RFC 3501 says nothing).  Dovecot returns "name*" with
      the raw charset'lang'%XX value, Courriel the decoded UTF-8 value under
      "name"; both are reduced to (name, decoded UTF-8);
    * a text/* part without a charset has charset us-ascii by default
      (RFC 2045 §5.2, RFC 2046 §4.1.2); Dovecot always lists the default,
      Courriel only when there is no Content-Type at all, so the default is
      added where missing.  When both a decoded charset* and Dovecot's
      defaulted charset exist, the decoded one wins.
    """
    out = {}
    if params:
        for i in range(0, len(params), 2):
            k = params[i].lower()
            v = params[i + 1]
            if k.endswith(b"*"):
                k = k[:-1]
                v = _decode_2231(v)
                out[k] = v
            else:
                out.setdefault(k, v)
    if b"charset" in out:
        out[b"charset"] = out[b"charset"].lower()
    elif text_type:
        out[b"charset"] = b"us-ascii"
    return sorted(out.items()) or None


def norm_lang(v):
    """body-fld-lang = nstring / "(" string *(SP string) ")" (RFC 3501 §9):
    a single string and a one-element list are the same value, and
    language tags are case-insensitive (RFC 5646 §2.1.1)."""
    if v is None:
        return None
    if isinstance(v, bytes):
        v = [v]
    return [x.lower() for x in v]


def norm_dsp(v):
    if not isinstance(v, list):
        return v
    return [v[0].lower(), norm_params(v[1]) if len(v) > 1 else None]


def norm_body(b, lines_lenient=True):
    """Normalises a parsed BODY / BODYSTRUCTURE value.

    * type, subtype and transfer-encoding are case-insensitive (RFC 2045
      §5.1, §6.1: "7BIT" == "7bit") -> lower-cased;
    * parameters, disposition and language: see norm_params / norm_lang;
    * body-fld-lines: for a part whose content does not end with CRLF (the
      CRLF before a boundary belongs to the delimiter, RFC 2046 §5.1.1)
      Courriel counts the final partial line and Dovecot does not.  RFC 3501
      only says "size of the body in text lines", so the difference is
      tolerated: both counts are kept only as "n or n+1" by comparing
      ceil/floor -- concretely the line count is dropped from the compared
      value and checked separately by lines_close().
    """
    if not isinstance(b, list) or not b:
        return b
    if isinstance(b[0], list):  # multipart
        i = 0
        parts = []
        while i < len(b) and isinstance(b[i], list):
            parts.append(norm_body(b[i], lines_lenient))
            i += 1
        rest = b[i:]
        out = ["multipart", parts, rest[0].lower() if rest else None]
        ext = rest[1:]
        if ext:
            out.append(norm_params(ext[0]))
        if len(ext) > 1:
            out.append(norm_dsp(ext[1]))
        if len(ext) > 2:
            out.append(norm_lang(ext[2]))
        if len(ext) > 3:
            out.append(ext[3])
        return out
    t = b[0].lower() if b[0] else b[0]
    st = b[1].lower() if b[1] else b[1]
    out = [t, st, norm_params(b[2], text_type=(t == b"text")), b[3], b[4],
           b[5].lower() if isinstance(b[5], bytes) else b[5], b[6]]
    i = 7
    if t == b"message" and st in (b"rfc822", b"global"):
        out += [norm_env(b[7]), norm_body(b[8], lines_lenient), "LINES" if lines_lenient else b[9]]
        i = 10
    elif t == b"text":
        out.append("LINES" if lines_lenient else b[7])
        i = 8
    ext = b[i:]
    if ext:
        out.append(ext[0])  # md5
    if len(ext) > 1:
        out.append(norm_dsp(ext[1]))
    if len(ext) > 2:
        out.append(norm_lang(ext[2]))
    if len(ext) > 3:
        out.append(ext[3])
    return out


def body_lines(b, path="", out=None):
    """{path: lines} for every text/* and message/rfc822 part."""
    if out is None:
        out = {}
    if not isinstance(b, list) or not b:
        return out
    if isinstance(b[0], list):
        n = 0
        for p in b:
            if not isinstance(p, list):
                break
            n += 1
            body_lines(p, f"{path}.{n}" if path else str(n), out)
        return out
    t = (b[0] or b"").lower()
    st = (b[1] or b"").lower()
    if t == b"message" and st in (b"rfc822", b"global"):
        out[path or "1"] = int(b[9])
        body_lines(b[8], (path or "1") + ".sub", out)
    elif t == b"text":
        out[path or "1"] = int(b[7])
    return out


def _unquote_local(v):
    """addr-mailbox: Courriel keeps a quoted local part in its RFC 5322
    quoted-string form ("\\"john.smith\\""), Dovecot returns the unquoted
    content (john.smith).  RFC 3501 §7.4.2 only says "mailbox name (what
    precedes the @)", so both are accepted: quotes and quoted-pairs are
    removed before comparing."""
    if isinstance(v, bytes) and len(v) >= 2 and v[:1] == b'"' and v[-1:] == b'"':
        return re.sub(rb"\\(.)", rb"\1", v[1:-1])
    return v


def _ws(v):
    """Unfolding (RFC 5322 §2.2.3) removes only the CRLF, keeping the WSP
    that follows; Dovecot turns a folding TAB into a SP while Courriel keeps
    the TAB.  Compared with every TAB read as a SP."""
    return v.replace(b"\t", b" ") if isinstance(v, bytes) else v


def norm_env(e):
    if not isinstance(e, list):
        return e
    out = [_ws(e[0]), _ws(e[1])]
    for lst in e[2:8]:
        if isinstance(lst, list):
            out.append([[_ws(a[0]), a[1], _unquote_local(a[2]), a[3]] for a in lst])
        else:
            out.append(lst)
    out += [_ws(x) for x in e[8:]]
    return out


def part_paths(bs):
    """Section paths worth fetching, from a parsed BODYSTRUCTURE:
    [(path, kind, cte)] with kind 'leaf', 'multipart' or 'message' and cte
    the lower-cased Content-Transfer-Encoding (None for a multipart)."""
    out = []

    def walk(b, path, top):
        if isinstance(b[0], list):
            if not top:
                out.append((path, "multipart", None))
            n = 0
            for p in b:
                if not isinstance(p, list):
                    break
                n += 1
                walk(p, f"{path}.{n}" if path else str(n), False)
            return
        t = (b[0] or b"").lower()
        st = (b[1] or b"").lower()
        path = path or "1"  # a non-multipart message has only part 1
        if t == b"message" and st == b"rfc822":
            out.append((path, "message", (b[5] or b"").lower()))
            inner = b[8]
            if isinstance(inner[0], list):
                n = 0
                for p in inner:
                    if not isinstance(p, list):
                        break
                    n += 1
                    walk(p, f"{path}.{n}", False)
            else:
                out.append((f"{path}.1", "leaf", (inner[5] or b"").lower()))
            return
        out.append((path, "leaf", (b[5] or b"").lower()))

    walk(bs, "", True)
    return out


__all__ = ["parse"]
