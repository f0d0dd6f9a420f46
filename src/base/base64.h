// Base64 (RFC 4648 §4) as SASL (RFC 4422) and IMAP AUTHENTICATE use it:
// strict decoding, padding required, no whitespace.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace courriel::base64 {

std::string encode(std::string_view bytes);
// nullopt if `text` is not canonical base64.
std::optional<std::string> decode(std::string_view text);

}  // namespace courriel::base64
