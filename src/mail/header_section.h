// The top-level header block of an RFC 5322 message (RFC 5322 §2.1): where it
// ends, and the field subsets IMAP's BODY[HEADER.FIELDS (...)] and
// BODY[HEADER.FIELDS.NOT (...)] return (RFC 9051 §6.4.5). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courriel::mail {

// The offset where the body starts: just after the empty line that ends the
// header (CRLF CRLF, or a bare LF LF as real mail has). nullopt when `message`
// holds no empty line: then either more bytes are needed, or (at the end of
// the message) the whole message is header.
std::optional<size_t> body_offset(std::string_view message);

// The header fields of `header` whose names are (exclude = false) or are not
// (exclude = true) in `names` (compared case-insensitively), each with its
// continuation lines, followed by the empty line that ends a header section
// when `header` has one (a message that is all header may not).
std::string header_fields(std::string_view header, const std::vector<std::string>& names,
                          bool exclude);

}  // namespace courriel::mail
