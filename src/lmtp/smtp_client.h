// A small blocking SMTP client (RFC 5321) for the mail delivery sends itself:
// Sieve redirects (RFC 5228 §4.2) and vacation replies (RFC 5230), handed to
// the configured relay (`[delivery] smtp_relay`, typically the local MTA),
// which queues and routes them. One connection per message: EHLO (HELO if
// refused), MAIL FROM, one RCPT TO per recipient, DATA, QUIT. No TLS, no
// AUTH: the relay is a trusted local service (loopback or a Unix socket).
// The syntax (replies, dot-stuffing) is lmtp/proto/smtp.h.
//
// Blocks on the network (bounded by `timeout` per step): call it from the
// blocking pool or a command-line process, never from an event loop.
// Thread-safety: no shared state.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"
#include "net/listen_address.h"

namespace courriel::lmtp {

struct SmtpRelay {
  net::ListenAddress address;  // host:port (literal IP) or unix:/path
  std::string helo = "localhost";
  std::chrono::milliseconds timeout{30000};  // connecting, and waiting for each reply
};

struct OutgoingMail {
  std::string sender;  // the reverse-path; "" is the null path "<>"
  std::vector<std::string> recipients;
  std::string head;                  // sent first: added header fields, or a whole message
  std::filesystem::path body_file;   // then this file's bytes (CRLF lines), when not empty
};

struct SendReport {
  std::vector<std::string> refused;  // recipients the relay refused at RCPT
};

// Sends `mail`; returns once the relay accepted it (250 after DATA). Errors:
// temporary (cannot connect, timeout, connection lost, a 4xx reply, or
// every recipient refused with 4xx), permission_denied (a 5xx reply to MAIL
// or DATA, every recipient refused), invalid (an address with a control
// character or angle bracket), internal (the body file cannot be read).
Result<SendReport> send_mail(const SmtpRelay& relay, const OutgoingMail& mail);

}  // namespace courriel::lmtp
