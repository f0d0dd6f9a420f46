// Comparators (RFC 4790 §9: i;octet, i;ascii-casemap; RFC 4790 §9.1 and
// RFC 2244 i;ascii-numeric), match types (RFC 5228 §2.7.1 :is :contains
// :matches; draft-ietf-sieve-regex :regex), relational :count/:value
// (RFC 5231). Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace courriel::sieve {

enum class MatchKind { is, contains, matches, regex, count, value };
enum class Comparator { octet, casemap, numeric };
enum class Relation { gt, ge, lt, le, eq, ne };

std::optional<Relation> parse_relation(std::string_view s);
std::optional<Comparator> parse_comparator(std::string_view s);

// Regex patterns longer than this, or with back-references or large bounds,
// are refused: glibc's matcher can take exponential time on them.
inline constexpr size_t kMaxRegexSize = 512;

// Whether `pattern` is an acceptable POSIX extended regex. flags: 1 = icase.
Status check_regex(std::string_view pattern, int flags);

struct MatchSpec {
  MatchKind kind = MatchKind::is;
  Comparator cmp = Comparator::casemap;
  Relation rel = Relation::eq;
};

// Whether `value` matches `key` (for :is :contains :matches :regex :value;
// :count is counted by the caller then compared with compare_relation).
// For :matches and :regex, `captures` (when not null) receives ${0}..${n}
// on success (RFC 5229 §3.2).
bool match_value(const MatchSpec& m, std::string_view value, std::string_view key,
                 std::vector<std::string>* captures);

// The comparator's ordering: negative, zero or positive (RFC 4790 §4.2).
int compare(Comparator c, std::string_view a, std::string_view b);
bool relation_holds(Relation r, int cmp);

// RFC 5228 §2.7.1 :matches: '*' any sequence, '?' one character (one UTF-8
// character), '\' quotes the next. Wildcards match as little as possible
// (RFC 5229 §3.2). Linear memory, O(n*m) time, no recursion.
bool wildcard_match(std::string_view pattern, std::string_view value, bool casefold,
                    std::vector<std::string>* captures);

}  // namespace courriel::sieve
