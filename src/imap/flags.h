// IMAP flags (RFC 9051 §2.3.2) between the wire and store::Flags.
#pragma once

#include <string>

#include "base/result.h"
#include "imap/parser/command.h"
#include "store/store.h"

namespace courriel::imap {

// Client flag lists (STORE, APPEND). System flags are case-insensitive;
// \Recent and unknown \Flags are refused (Errc::invalid, detail fit for a BAD).
Result<store::Flags> flags_from_wire(const FlagList& list);

// "(\Seen \Flagged $Label)"; \Recent added when `recent`.
void append_flags(std::string& out, const store::Flags& flags, bool recent = false);

// The FLAGS and PERMANENTFLAGS lists of SELECT (RFC 9051 §7.3.5, §7.1):
// the system flags, the mailbox's keywords, and \* (any keyword may be created).
std::string flags_response(const std::vector<std::string>& keywords);
std::string permanent_flags_code(const std::vector<std::string>& keywords);

}  // namespace courriel::imap
