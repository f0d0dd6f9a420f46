// The Sieve parser (RFC 5228 §8.2) and the public entry point that turns a
// script's text into a validated Script. Pure, thread-safe.
#pragma once

#include <string_view>

#include "base/result.h"
#include "sieve/ast.h"

namespace courriel::sieve {

// Blocks and tests nested deeper than this are refused.
inline constexpr int kMaxNesting = 32;

// Parses `text` and validates it (validator.h). Errors: Errc::invalid with
// "line N: message", N the line of the offending token.
Result<Script> parse(std::string_view text);

// The syntax tree only, without validation (for tools and tests).
Result<Script> parse_syntax(std::string_view text);

}  // namespace courriel::sieve
