// Mailbox names between the wire and the store (RFC 9051 §5.1, RFC 3501
// §5.1.3, RFC 6855 §3). Inside Courriel names are UTF-8 with '/' as the
// hierarchy separator; rev1 clients see modified UTF-7, clients that enabled
// UTF8=ACCEPT or IMAP4rev2 see UTF-8. "INBOX" is case-insensitive, also as the
// first segment of a child name ("inbox/Lists" is "INBOX/Lists").
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::imap {

inline constexpr char kHierarchySeparator = '/';

// Errc::invalid (with a detail fit for the client) when the name is not valid
// modified UTF-7 (or, with utf8, not valid UTF-8). Further rules (no empty
// segments, no escape from the account) are the store's.
Result<std::string> mailbox_from_wire(std::string_view wire, bool utf8);

// "INBOX" spelled in any case becomes "INBOX", as does the first segment.
std::string normalize_inbox(std::string name);

}  // namespace courriel::imap
