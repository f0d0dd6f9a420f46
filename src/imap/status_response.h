// The untagged STATUS response (RFC 9051 §7.2.4, RFC 3501 §7.2.4), shared by
// STATUS and LIST-STATUS (RFC 5819). Pure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "imap/parser/command.h"
#include "store/store.h"

namespace courriel::imap {

// "* STATUS <mailbox> (<item> <value> ...)\r\n" with the items in the order
// asked, each once. APPENDLIMIT (RFC 7889 §4) is `append_limit`, NIL when 0.
void append_status_response(std::string& out, std::string_view utf8_name,
                            const store::MailboxStatus& status, std::span<const StatusItem> items,
                            uint64_t append_limit, bool utf8);

}  // namespace courriel::imap
