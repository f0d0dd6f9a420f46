"""A minimal SCRAM-SHA-256 client (RFC 5802, RFC 7677) for the tests."""

import base64
import hashlib
import hmac
import os


def _hmac(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()


def saslname(name):
    return name.replace("=", "=3D").replace(",", "=2C")


class ScramClient:
    def __init__(self, user, password, nonce=None):
        self.user = user
        self.password = password
        self.cnonce = nonce or base64.b64encode(os.urandom(18)).decode()
        self.gs2_header = "n,,"
        self.client_first_bare = f"n={saslname(user)},r={self.cnonce}"
        self.server_signature = None

    def first(self):
        return (self.gs2_header + self.client_first_bare).encode()

    def final(self, server_first):
        server_first = server_first.decode() if isinstance(server_first, bytes) else server_first
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        nonce, salt, iterations = attrs["r"], base64.b64decode(attrs["s"]), int(attrs["i"])
        if not nonce.startswith(self.cnonce) or len(nonce) <= len(self.cnonce):
            raise ValueError(f"server nonce {nonce!r} does not extend ours {self.cnonce!r}")
        if iterations < 4096:
            raise ValueError(f"iteration count {iterations} below RFC 7677's 4096")
        channel = base64.b64encode(self.gs2_header.encode()).decode()
        without_proof = f"c={channel},r={nonce}"
        auth_message = f"{self.client_first_bare},{server_first},{without_proof}".encode()
        salted = hashlib.pbkdf2_hmac("sha256", self.password.encode(), salt, iterations)
        client_key = _hmac(salted, b"Client Key")
        stored_key = hashlib.sha256(client_key).digest()
        signature = _hmac(stored_key, auth_message)
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = _hmac(salted, b"Server Key")
        self.server_signature = _hmac(server_key, auth_message)
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final):
        server_final = server_final.decode() if isinstance(server_final, bytes) else server_final
        if not server_final.startswith("v="):
            raise ValueError(f"server-final is not a verifier: {server_final!r}")
        return base64.b64decode(server_final[2:]) == self.server_signature


def _b64(data):
    return base64.b64encode(data).decode()


def scram_exchange(c, tag, user, password, initial_response=True):
    """Runs SCRAM-SHA-256; returns (tagged line, server signature verified or None)."""
    sc = ScramClient(user, password)
    if initial_response:
        c.send(f"{tag} AUTHENTICATE SCRAM-SHA-256 {_b64(sc.first())}\r\n")
    else:
        c.send(f"{tag} AUTHENTICATE SCRAM-SHA-256\r\n")
        line = c.readline()
        assert line.startswith("+"), line
        c.send(_b64(sc.first()) + "\r\n")
    line = c.readline()
    if line.startswith(tag + " "):
        return line, None
    assert line.startswith("+ "), line
    server_first = base64.b64decode(line[2:])
    c.send(_b64(sc.final(server_first)) + "\r\n")
    line = c.readline()
    if line.startswith(tag + " "):
        return line, None
    # IMAP defines no "additional data with success" (RFC 4422 section 4):
    # server-final comes as a challenge and the client answers with an empty line.
    assert line.startswith("+ "), line
    server_final = base64.b64decode(line[2:]).decode()
    if server_final.startswith("e="):  # server-error: acknowledge, expect NO
        c.send("\r\n")
        return c.read_until_tagged(tag)[1], False
    verified = sc.verify(server_final)
    c.send("\r\n")
    return c.read_until_tagged(tag)[1], verified
