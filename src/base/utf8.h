// UTF-8 validation (RFC 3629): the one check every layer uses for names and
// text that must be UTF-8 (mailbox names, UTF8=ACCEPT strings, header text).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace courriel {

// True when `s` is well-formed UTF-8: no overlong forms, no surrogates,
// nothing past U+10FFFF (RFC 3629 §3-4). ASCII is valid UTF-8.
bool valid_utf8(std::string_view s);

// Appends code point `cp` (REQUIRES: a Unicode scalar value) as UTF-8.
void append_utf8(std::string& out, uint32_t cp);

}  // namespace courriel
