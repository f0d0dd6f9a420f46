// The delivery pipeline: the one path by which mail arriving from outside
// reaches a mailbox (DESIGN.md §1-3: "one delivery function used by APPEND,
// LMTP, deliver and Sieve fileinto"). The LMTP session (lmtp/session.h) and
// `courriel deliver` (lmtp/deliver_command.h) both call:
//
//   resolve_recipient()  address -> local user (+ subaddress detail), or why not
//   deliver_message()    spooled message -> stored copies, durable on return
//
// deliver_message() prepends, per recipient, the trace fields an MDA adds:
// Return-Path (RFC 5321 §4.4, from MAIL FROM) and Delivered-To (the
// recipient, as Postfix and Dovecot write it: loop detection). Because these
// differ per recipient, each recipient's copy is written as its own file: the
// message is received and spooled once, then copied into each account's
// store by Account::begin_message()/append() (no hard links: the store API
// has no "append an existing file", and the per-recipient header would
// defeat them anyway).
//
// SIEVE HOOK: plan_delivery() is where the recipient's active Sieve script
// (src/sieve, RFC 5228) will run. Today it applies the built-in rule: the
// subaddress detail's mailbox if it exists and detail_to_folder is on, else
// INBOX. A Sieve interpreter replaces its body, turning keep / fileinto /
// discard (and addflag, RFC 5232) into DeliveryPlan targets; redirect and
// vacation need an outgoing queue and are not part of the plan yet.
//
// Thread-safety: the functions may run on any thread concurrently; they block
// on the disk (run them with net::run_blocking from an event loop).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_db.h"
#include "base/result.h"
#include "store/store.h"

namespace courriel::lmtp {

struct DeliveryOptions {
  std::string recipient_delimiter = "+";  // RFC 5233 subaddress; "" disables
  bool detail_to_folder = true;           // user+detail -> mailbox "detail" when it exists
};

// A local recipient. Errc from resolve_recipient: invalid (not a possible
// user name: 550 5.1.3 / EX_NOUSER), not_found (no such user: 550 5.1.1 /
// EX_NOUSER), internal (the user database cannot be read: 451 / EX_TEMPFAIL).
struct Recipient {
  std::string address;  // as the envelope gave it (Delivered-To)
  std::string user;     // canonical "local@domain" of the account
  std::string detail;   // subaddress, "" when none
};
Result<Recipient> resolve_recipient(auth::UserDb& users, std::string_view address,
                                    const DeliveryOptions& options);

struct DeliveryEnvelope {
  std::string sender;  // the reverse-path; "" is the null path (bounces)
  Recipient recipient;
};

// Where one recipient's copy goes: what the Sieve hook decides.
struct DeliveryTarget {
  std::string mailbox;
  store::Flags flags;
};
struct DeliveryPlan {
  std::vector<DeliveryTarget> targets;  // empty: discarded (Sieve "discard")
};

// SIEVE HOOK (see the header comment). `account` is the recipient's.
Result<DeliveryPlan> plan_delivery(store::Account& account, const std::filesystem::path& spooled,
                                   const DeliveryEnvelope& envelope,
                                   const DeliveryOptions& options);

struct StoredCopy {
  std::string mailbox;
  uint32_t uidvalidity = 0;
  uint32_t uid = 0;
  uint64_t size = 0;  // bytes stored, trace fields included
};
struct DeliveryResult {
  std::vector<StoredCopy> stored;  // empty when the plan discarded the message
};

// Stores `spooled` (the message as received, CRLF line ends) for
// envelope.recipient.user, whose account `store` opens (creating it on first
// delivery). Returns once every copy and its index entry are durable (the
// store's group commit). Errors: over_quota (LMTP 452 4.2.2), too_big,
// not_found, temporary / internal (451 4.3.0: the MTA retries).
Result<DeliveryResult> deliver_message(store::Store& store, const std::filesystem::path& spooled,
                                       const DeliveryEnvelope& envelope,
                                       const DeliveryOptions& options);

// One copy into one mailbox of an open account, with the trace fields: the
// primitive that deliver_message() uses per target and that Sieve fileinto
// will use.
Result<StoredCopy> store_copy(store::Account& account, const std::filesystem::path& spooled,
                              const DeliveryEnvelope& envelope, const DeliveryTarget& target);

// The trace fields prepended to a recipient's copy (exposed for tests).
std::string trace_fields(const DeliveryEnvelope& envelope);

}  // namespace courriel::lmtp
