// `courriel deliver -f SENDER -a RECIPIENT`: the local delivery agent an MTA
// pipes a message into (DESIGN.md §1), e.g. Postfix's
//   mailbox_command = /usr/bin/courriel deliver -f "$SENDER" -a "$RECIPIENT"
// It reads the message from stdin into a spool file (bare LF line ends become
// CRLF; a leading mbox "From " line is dropped) and runs the same delivery
// pipeline as LMTP (lmtp/delivery.h). Safe while `courriel serve` runs: the
// store serialises the writers of each account's index; sessions of the
// server see the new message at their next NOOP or IDLE poll (the in-process
// wake-up does not cross processes, DESIGN §3).
//
// The exit code follows sysexits.h, so the MTA bounces or retries:
//   0  delivered (or discarded, redirected, by the user's Sieve script)
//   64 EX_USAGE     bad command line
//   65 EX_DATAERR   bad sender address, message too big
//   67 EX_NOUSER    no such recipient
//   73 EX_CANTCREAT over quota with [lmtp] quota_full_permanent (bounce)
//   75 EX_TEMPFAIL  temporary failure, over quota by default (retry)
//   77 EX_NOPERM    refused by the recipient's Sieve reject/ereject (RFC 5429);
//                   the reason is the line on stderr, which the MTA puts in
//                   its bounce (what Dovecot's `dovecot-lda -e` does)
//   78 EX_CONFIG    bad configuration
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

#include "auth/user_db.h"
#include "lmtp/delivery.h"

namespace courriel::lmtp {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;     // EX_USAGE
inline constexpr int kExitDataErr = 65;   // EX_DATAERR: bad sender address, message too big
inline constexpr int kExitNoUser = 67;    // EX_NOUSER: no such recipient
inline constexpr int kExitCantCreat = 73; // EX_CANTCREAT: mailbox full, permanently
inline constexpr int kExitTempFail = 75;  // EX_TEMPFAIL: try again later
inline constexpr int kExitNoPerm = 77;    // EX_NOPERM: rejected by Sieve
inline constexpr int kExitConfig = 78;    // EX_CONFIG

struct DeliverRequest {
  std::string sender;     // -f; "" or "<>" is the null sender
  std::string recipient;  // -a
  uint64_t max_message_size = 100ull << 20;
  std::filesystem::path spool_dir;
};

// Returns the exit code; writes one line on `err` on failure or rejection.
int deliver_from_stream(std::FILE* in, const DeliverRequest& request, auth::UserDb& users,
                        Delivery& delivery, std::FILE* err);

}  // namespace courriel::lmtp
