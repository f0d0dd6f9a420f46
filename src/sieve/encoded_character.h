// The "encoded-character" extension (RFC 5228 §2.4.2.4): "${hex:..}" and
// "${unicode:..}" sequences in strings, decoded once after parsing.
// Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::sieve {

// `s` with each well-formed sequence replaced (one left-to-right pass; the
// output is not rescanned). Malformed sequences stay as written; a
// well-formed "${unicode:..}" naming a surrogate or a value past U+10FFFF is
// an error (Errc::invalid).
Result<std::string> decode_encoded_characters(std::string_view s);

}  // namespace courriel::sieve
