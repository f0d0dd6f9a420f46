// What the Sieve interpreter (interpreter.h) reads and what it returns: the
// message, its SMTP envelope, the delivery environment, and the actions the
// caller performs (RFC 5228 §2.9-2.10). Plain values.
//
// Lifetime: Message's views must outlive run(); Actions own their data.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mail/message.h"

namespace courriel::sieve {

struct Message {
  std::string_view raw;                           // the whole message as received
  const mail::ParsedMessage* parsed = nullptr;    // parse_message(raw); null = parsed on demand
};

// The SMTP envelope (RFC 5228 §5.4): addresses without angle brackets;
// an empty `from` is the null reverse-path "<>".
struct Envelope {
  std::string from;
  std::string to;           // the recipient as given to LMTP/deliver
  std::string original_to;  // before any alias expansion, or empty
};

struct Environment {
  std::string user;
  // Whether a mailbox of this user exists (mailboxexists, RFC 5490 §3.1).
  // Empty: no mailbox exists.
  std::function<bool(std::string_view mailbox)> mailbox_exists;
  int64_t now = 0;             // seconds since the epoch (currentdate, vacation Date:)
  int zone_offset_minutes = 0; // the server's zone for "date" without :zone
  std::string vacation_from_address;        // From: of replies when :from is absent
  std::vector<std::string> user_addresses;  // the user's own addresses (vacation §4.5)
  // Whether a vacation reply under `key` was sent within `days` days
  // (RFC 5230 §4.1). Empty: never. The caller records a reply when it sends
  // one (VacationAction::key, ::days).
  std::function<bool(std::string_view key, int64_t days)> vacation_seen_recently;
  int max_redirects = 4;  // RFC 5228 §10: limit redirects
  int max_actions = 32;
};

// keep (RFC 5228 §4.3), also the implicit keep (§2.10.2). flags: the IMAP
// flags to set (RFC 5232 §3), as single flags ("\\Seen", "$Label1").
struct KeepAction {
  std::vector<std::string> flags;
  bool implicit = false;
};

// fileinto (RFC 5228 §4.1), :copy (RFC 3894), :flags (RFC 5232), :create
// (RFC 5490 §3.2: create the mailbox when it does not exist).
struct FileintoAction {
  std::string mailbox;  // UTF-8
  std::vector<std::string> flags;
  bool copy = false;
  bool create = false;
};

// redirect (RFC 5228 §4.2), :copy (RFC 3894).
struct RedirectAction {
  std::string address;
  bool copy = false;
};

// reject / ereject (RFC 5429): refuse the message with `reason`. ereject
// prefers an SMTP/LMTP-level refusal (§2.1.1); reject may send a DSN/MDN.
struct RejectAction {
  std::string reason;
  bool ereject = false;
};

// vacation (RFC 5230): send `message` (a complete RFC 5322 message, CRLF line
// ends) to `to` with MAIL FROM:<> (§5.1), then remember `key` for `days` days.
struct VacationAction {
  std::string to;       // the envelope recipient of the reply: the sender
  std::string from;     // the From: address of the reply
  std::string subject;  // as in the reply's Subject: (possibly encoded)
  std::string key;      // what vacation_seen_recently is asked about
  int64_t days = 7;
  std::string message;
};

using Action = std::variant<KeepAction, FileintoAction, RedirectAction, RejectAction, VacationAction>;

// The final list (RFC 5228 §2.10): duplicates merged, the implicit keep added
// when nothing cancelled it. A message whose list holds no KeepAction or
// FileintoAction is not stored (discard, redirect, reject).
struct Actions {
  std::vector<Action> list;
};

}  // namespace courriel::sieve
