// The Sieve lexer (RFC 5228 §8.1): bytes in, tokens out, each with its line.
// Comments ("#" to end of line, "/* */") are skipped; quoted strings have
// their escapes removed; multi-line "text:" strings are dot-unstuffed. Line
// ends may be CRLF or bare LF. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace courriel::sieve {

struct Token {
  enum class Kind {
    identifier,  // text: as written
    tag,         // text: without the ':', lowercased
    number,      // number: K/M/G applied
    string,      // text: the value
    lbracket, rbracket, lparen, rparen, comma, semicolon, lbrace, rbrace,
    end,
  };
  Kind kind = Kind::end;
  std::string text;
  uint64_t number = 0;
  int line = 1;
};

inline constexpr size_t kMaxScriptSize = 1024 * 1024;
inline constexpr size_t kMaxTokens = 200000;

// All tokens of `text`, ending with Kind::end; Errc::invalid with
// "line N: ..." on a lexical error or a limit.
Result<std::vector<Token>> tokenize(std::string_view text);

}  // namespace courriel::sieve
