// The vacation extension (RFC 5230): when to answer and the reply itself.
// Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mail/header.h"
#include "sieve/runtime.h"

namespace courriel::sieve {

struct VacationParams {
  int64_t days = 7;                    // RFC 5230 §4.1 default
  std::optional<std::string> subject;  // :subject
  std::optional<std::string> from;     // :from
  std::optional<std::string> handle;   // :handle
  std::vector<std::string> addresses;  // :addresses
  bool mime = false;                   // :mime: `reason` is a MIME entity
  std::string reason;
};

// Why no reply is sent, or nullopt when one should be.
// RFC 5230 §4.5-4.6 and RFC 3834 §2: a null, MAILER-DAEMON, owner-*, *-request
// (LISTSERV, majordomo) sender; a list or bulk message (List-Id, List-Post,
// List-Unsubscribe, Precedence bulk/list/junk, Auto-Submitted not "no"); the
// user is not among To/Cc/Bcc/Resent-*; the user wrote it; already answered
// within :days.
std::optional<std::string> vacation_refusal(const VacationParams& p,
                                            const std::vector<mail::HeaderField>& fields,
                                            const Envelope& env, const Environment& cfg);

// The reply (RFC 5230 §5): From, To, Subject ("Auto: " + the original
// subject by default), Date, Message-ID, In-Reply-To, References,
// Auto-Submitted: auto-replied, MIME headers, the reason.
VacationAction make_vacation_reply(const VacationParams& p,
                                   const std::vector<mail::HeaderField>& fields,
                                   const Envelope& env, const Environment& cfg);

// The :days memory key: the sender and the handle (RFC 5230 §4.2; without
// :handle, one derived from reason, subject, from and mime).
std::string vacation_key(const VacationParams& p, const Envelope& env);

}  // namespace courriel::sieve
