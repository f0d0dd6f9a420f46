// Header fields of an RFC 5322 header section (RFC 5322 §2.2, §3.6), split and
// unfolded. Lenient as real mail demands: bare LF line ends, 8-bit bytes, lines
// without a colon (skipped), whitespace before the colon ("Subject : x").
//
// Pure functions, thread-safe. Returned views point into the caller's bytes
// and live as long as they do.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courriel::mail {

struct HeaderField {
  std::string_view name;   // as written, trailing whitespace removed
  std::string_view value;  // raw: after the colon, folding line breaks kept,
                           // the final line break removed
};

// The fields of `header` up to the empty line that ends it (or its end), in
// order. A first line that does not start a field, and any later line that is
// neither a field nor a continuation, is skipped.
std::vector<HeaderField> header_fields_of(std::string_view header);

// `value` unfolded (RFC 5322 §2.2.3: CR and LF removed, the whitespace after
// them kept) and trimmed of leading and trailing SP/TAB.
std::string unfold(std::string_view value);

// The unfolded, trimmed value of the first field named `name` (ASCII
// case-insensitive), nullopt if there is none.
std::optional<std::string> header_value(const std::vector<HeaderField>& fields,
                                        std::string_view name);

}  // namespace courriel::mail
