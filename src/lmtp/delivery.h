// The delivery pipeline: the one path by which mail arriving from outside
// reaches a mailbox (DESIGN.md §1-3: "one delivery function used by APPEND,
// LMTP, deliver and Sieve fileinto"). The LMTP session (lmtp/session.h) and
// `courriel deliver` (lmtp/deliver_command.h) both call:
//
//   resolve_recipient()   address -> local user (+ subaddress detail), or why not
//   Delivery::deliver()   spooled message -> what the user's Sieve script
//                         decided: stored copies (durable on return), a
//                         refusal, redirects and a vacation reply sent
//
// Per recipient, deliver():
//  1. plan_delivery(): without an active Sieve script, the built-in rule
//     (the subaddress detail's mailbox if it exists and detail_to_folder is
//     on, else INBOX: the "default mailbox"). With one (SieveScripts caches
//     it parsed), sieve::run over the message and plan_from_actions() turn
//     keep / fileinto / discard / redirect / reject / vacation into a
//     DeliveryPlan. A script that does not parse or fails at run time
//     (RFC 5228 §2.10.6) gives the implicit keep, logged: nothing is lost.
//  2. A reject/ereject (RFC 5429) stores nothing and returns the reason: the
//     LMTP reply is 550 5.7.1 for that recipient, `deliver` exits 77.
//  3. Each target is stored with store_copy(), its flags (RFC 5232) set;
//     fileinto :create (RFC 5490 §3.2) creates a missing mailbox, otherwise
//     a missing one means INBOX (as Dovecot does). Once one copy is stored,
//     a later copy's failure is logged, not returned (a retry by the MTA
//     would duplicate the stored ones).
//  4. Only then is mail sent, through the Mailer (the SMTP relay): redirect
//     (RFC 5228 §4.2) with the original envelope sender (the RFC leaves the
//     choice to the implementation and requires the null path to stay null)
//     and a Delivered-To field (loop detection by the MTA); when there is no
//     relay, or it fails or refuses, the message is kept in the default
//     mailbox instead. Then the vacation reply (RFC 5230), sent with the null
//     sender, once per :days (VacationMemory); none without a relay.
//
// deliver() prepends, per stored copy, the trace fields an MDA adds:
// Return-Path (RFC 5321 §4.4, from MAIL FROM) and Delivered-To (the
// recipient, as Postfix and Dovecot write it: loop detection). Because these
// differ per recipient, each recipient's copy is written as its own file: the
// message is received and spooled once, then copied into each account's
// store by Account::begin_message()/append().
//
// Thread-safety: a Delivery is shared by every session; deliver() may run on
// any thread concurrently. It blocks on the disk and on the relay (run it
// with net::run_blocking from an event loop).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_db.h"
#include "base/result.h"
#include "lmtp/sieve_scripts.h"
#include "lmtp/smtp_client.h"
#include "lmtp/spool.h"
#include "sieve/runtime.h"
#include "store/store.h"

namespace courriel::lmtp {

struct DeliveryOptions {
  std::string recipient_delimiter = "+";  // RFC 5233 subaddress; "" disables
  bool detail_to_folder = true;           // user+detail -> mailbox "detail" when it exists
  // Where the users' Sieve scripts are (<data>/<domain>/<user>/sieve/);
  // empty: no Sieve, every message goes to the default mailbox.
  std::filesystem::path data_dir;
  // Over quota: 552 5.2.2 / EX_CANTCREAT (the MTA bounces) instead of
  // 452 4.2.2 / EX_TEMPFAIL (the MTA retries).
  bool quota_full_permanent = false;
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

// One copy to store.
struct DeliveryTarget {
  std::string mailbox;
  store::Flags flags;
  bool create = false;  // fileinto :create: make the mailbox if it is missing
};

struct DeliveryPlan {
  std::vector<DeliveryTarget> targets;  // empty: nothing stored (discard, redirect, reject)
  std::vector<std::string> redirects;   // addresses to send the message to
  std::optional<sieve::VacationAction> vacation;
  std::optional<std::string> reject;    // reject/ereject reason: refuse, store nothing
  std::string default_mailbox = "INBOX";  // keep's mailbox, and every fallback's
  std::string note;  // for the log: why the plan departs from the script, if it does
};

// Sends one message through the SMTP relay (send_mail with the configured
// relay; a fake in tests). Empty: no relay configured.
using Mailer = std::function<Result<SendReport>(const OutgoingMail&)>;

struct StoredCopy {
  std::string mailbox;
  uint32_t uidvalidity = 0;
  uint32_t uid = 0;
  uint64_t size = 0;  // bytes stored, trace fields included
};
struct DeliveryResult {
  std::vector<StoredCopy> stored;  // empty when nothing was stored (discard, redirect, reject)
  // Sieve reject/ereject: the reason as one line of printable ASCII, fit for
  // an SMTP reply or stderr. Nothing was stored or sent.
  std::optional<std::string> rejected;
  std::vector<std::string> redirected;  // addresses the relay accepted
  std::string vacation_to;              // a vacation reply went to this address
  std::string note;                     // Sieve fallbacks and failures, for the log
};

class Delivery {
 public:
  Delivery(store::Store& store, DeliveryOptions options, Mailer mailer = {});

  const DeliveryOptions& options() const { return options_; }
  SieveScripts& scripts() { return scripts_; }

  // Delivers `spooled` (the message as received, CRLF line ends) to
  // envelope.recipient.user, whose account is opened (created on first
  // delivery). Returns once every copy and its index entry are durable (the
  // store's group commit). Errors (nothing was stored, nothing sent):
  // over_quota (LMTP 452 4.2.2), too_big, temporary / internal (451 4.3.0:
  // the MTA retries).
  Result<DeliveryResult> deliver(const SpooledMessage& spooled, const DeliveryEnvelope& envelope);

  // Step 1 (see the header comment). `account` is the recipient's.
  Result<DeliveryPlan> plan_delivery(store::Account& account, const SpooledMessage& spooled,
                                     const DeliveryEnvelope& envelope);

 private:
  store::Store& store_;
  DeliveryOptions options_;
  Mailer mailer_;
  SieveScripts scripts_;
};

// The mailbox a message goes to without a script, and Sieve's keep: the
// subaddress detail's mailbox when it exists and detail_to_folder is on,
// else INBOX.
Result<std::string> default_mailbox(store::Account& account, const DeliveryEnvelope& envelope,
                                    const DeliveryOptions& options);

// Sieve's final actions (RFC 5228 §2.10) -> the plan; pure. keep goes to
// `default_mailbox`; fileinto "INBOX" (any case) to INBOX; a fileinto whose
// mailbox does not exist (`mailbox_exists` false) and has no :create goes to
// INBOX; targets for the same mailbox merge their flags.
DeliveryPlan plan_from_actions(const sieve::Actions& actions, const std::string& default_mailbox,
                               const std::function<bool(std::string_view)>& mailbox_exists);

// Sieve flag names (RFC 5232 §3) -> store flags: the five system flags
// (case-insensitive); keywords that are IMAP atoms (RFC 9051 §9); anything
// else (\Recent, unknown \names, non-atoms) is dropped.
store::Flags flags_from_sieve(const std::vector<std::string>& names);

// One copy into one mailbox of an open account, with the trace fields: the
// primitive that deliver() uses per target (Sieve fileinto included).
// target.create: a missing mailbox is created first.
Result<StoredCopy> store_copy(store::Account& account, const SpooledMessage& spooled,
                              const DeliveryEnvelope& envelope, const DeliveryTarget& target);

// The trace fields prepended to a recipient's copy (exposed for tests).
std::string trace_fields(const DeliveryEnvelope& envelope);

}  // namespace courriel::lmtp
