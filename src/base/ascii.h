// Locale-independent ASCII helpers used by every protocol parser.
// Protocol keywords (IMAP atoms, SMTP verbs, header names) compare
// case-insensitively in ASCII only; never use <cctype> here, it is locale-bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courriel::ascii {

constexpr char to_upper(char c) { return (c >= 'a' && c <= 'z') ? char(c - 32) : c; }
constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
std::string upper(std::string_view s);
std::string lower(std::string_view s);

// `s` made safe for a log line: bytes outside printable ASCII become '?', and
// at most `max` bytes are kept (with "..." after). Peers choose these bytes.
std::string printable(std::string_view s, size_t max = 64);

// Parses a non-negative decimal number of at most `max` without overflow;
// nullopt on empty input, a non-digit, or overflow.
std::optional<uint64_t> parse_u64(std::string_view s, uint64_t max = UINT64_MAX);

}  // namespace courriel::ascii
