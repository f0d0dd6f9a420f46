#include "sieve/match.h"

#include <regex.h>

#include "base/ascii.h"

namespace courriel::sieve {

std::optional<Relation> parse_relation(std::string_view s) {
  std::string l = ascii::lower(s);
  if (l == "gt") return Relation::gt;
  if (l == "ge") return Relation::ge;
  if (l == "lt") return Relation::lt;
  if (l == "le") return Relation::le;
  if (l == "eq") return Relation::eq;
  if (l == "ne") return Relation::ne;
  return std::nullopt;
}

std::optional<Comparator> parse_comparator(std::string_view s) {
  if (s == "i;octet") return Comparator::octet;
  if (s == "i;ascii-casemap") return Comparator::casemap;
  if (s == "i;ascii-numeric") return Comparator::numeric;
  return std::nullopt;
}

namespace {

// i;ascii-numeric: the leading digits as a number; no leading digit means
// positive infinity (RFC 4790 §9.1.1). Returns the digits without leading
// zeros, or nullopt for infinity.
std::optional<std::string_view> numeric_value(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && ascii::is_digit(s[n])) ++n;
  if (n == 0) return std::nullopt;
  std::string_view d = s.substr(0, n);
  while (d.size() > 1 && d[0] == '0') d.remove_prefix(1);
  return d;
}

bool chars_equal(char a, char b, bool fold) {
  return fold ? ascii::to_lower(a) == ascii::to_lower(b) : a == b;
}

size_t utf8_len(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  return n;
}

bool contains(std::string_view hay, std::string_view needle, bool fold) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && chars_equal(hay[i + k], needle[k], fold)) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

struct Piece {
  enum Kind { lit, one, any } kind;
  char c;
};

}  // namespace

int compare(Comparator c, std::string_view a, std::string_view b) {
  switch (c) {
    case Comparator::octet:
      return a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
    case Comparator::casemap: {
      size_t n = std::min(a.size(), b.size());
      for (size_t i = 0; i < n; ++i) {
        unsigned char x = static_cast<unsigned char>(ascii::to_lower(a[i]));
        unsigned char y = static_cast<unsigned char>(ascii::to_lower(b[i]));
        if (x != y) return x < y ? -1 : 1;
      }
      return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
    }
    case Comparator::numeric: {
      auto x = numeric_value(a), y = numeric_value(b);
      if (!x && !y) return 0;
      if (!x) return 1;
      if (!y) return -1;
      if (x->size() != y->size()) return x->size() < y->size() ? -1 : 1;
      int r = x->compare(*y);
      return r < 0 ? -1 : r > 0 ? 1 : 0;
    }
  }
  return 0;
}

bool relation_holds(Relation r, int c) {
  switch (r) {
    case Relation::gt: return c > 0;
    case Relation::ge: return c >= 0;
    case Relation::lt: return c < 0;
    case Relation::le: return c <= 0;
    case Relation::eq: return c == 0;
    case Relation::ne: return c != 0;
  }
  return false;
}

bool wildcard_match(std::string_view pattern, std::string_view value, bool fold,
                    std::vector<std::string>* captures) {
  std::vector<Piece> p;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) p.push_back({Piece::lit, pattern[++i]});
    else if (c == '*') p.push_back({Piece::any, 0});
    else if (c == '?') p.push_back({Piece::one, 0});
    else p.push_back({Piece::lit, c});
  }
  // Per wildcard piece: where its match starts and its length.
  std::vector<size_t> start(p.size(), 0), len(p.size(), 0);
  size_t pi = 0, si = 0;
  size_t star = SIZE_MAX;  // the last '*' piece, to extend on mismatch
  while (true) {
    if (pi == p.size() && si == value.size()) break;
    bool advanced = false;
    if (pi < p.size()) {
      const Piece& x = p[pi];
      if (x.kind == Piece::any) {
        star = pi;
        start[pi] = si;
        len[pi] = 0;
        ++pi;
        continue;
      }
      if (si < value.size()) {
        if (x.kind == Piece::one) {
          start[pi] = si;
          len[pi] = utf8_len(value, si);
          si += len[pi];
          ++pi;
          advanced = true;
        } else if (chars_equal(x.c, value[si], fold)) {
          ++si;
          ++pi;
          advanced = true;
        }
      }
    }
    if (advanced) continue;
    if (star == SIZE_MAX || start[star] + len[star] >= value.size()) return false;
    // Let the last '*' take one more byte and retry from the piece after it.
    ++len[star];
    si = start[star] + len[star];
    pi = star + 1;
  }
  if (captures) {
    captures->clear();
    captures->emplace_back(value);
    for (size_t i = 0; i < p.size(); ++i)
      if (p[i].kind != Piece::lit) captures->emplace_back(value.substr(start[i], len[i]));
  }
  return true;
}

namespace {

// An upper bound of the number of atoms glibc's regcomp() builds for
// `pattern` once it has expanded repetitions: "X+" becomes "XX*" and
// "X{n,m}" m copies of X (n+1 for "X{n,}"), so stacked or nested repetitions
// grow exponentially: "a" followed by 32 '+' took over 2 GB (found by
// fuzz_sieve_parser). Saturates at `limit` + 1.
uint64_t expanded_atoms(std::string_view p, uint64_t limit) {
  std::vector<uint64_t> open{0};  // atoms of each open group so far
  uint64_t last = 0;              // atoms of what a repetition would apply to
  auto add = [&](uint64_t n) { open.back() = std::min(open.back() + n, limit + 1); };
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      ++i;
      add(last = 1);
    } else if (c == '[') {
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') ++j;
      i = j;
      add(last = 1);
    } else if (c == '(') {
      open.push_back(0);
      last = 0;
    } else if (c == ')' && open.size() > 1) {
      last = std::max<uint64_t>(open.back(), 1);
      open.pop_back();
      add(last);
    } else if (c == '|') {
      last = 0;
    } else if (c == '+' || c == '{') {
      uint64_t copies = 2;
      if (c == '{') {
        uint64_t n = 0, m = 0;
        bool comma = false, upper = false;
        size_t j = i + 1;
        for (; j < p.size() && p[j] != '}'; ++j) {
          if (p[j] == ',') {
            comma = true;
          } else if (ascii::is_digit(p[j])) {
            uint64_t& v = comma ? m : n;
            v = std::min<uint64_t>(v * 10 + uint64_t(p[j] - '0'), limit + 1);
            upper = upper || comma;
          }
        }
        i = j;
        copies = std::max<uint64_t>(!comma ? n : (upper ? m : n + 1), 1);
      }
      uint64_t grown = std::min(last * copies, limit + 1);
      add(grown - std::min(grown, last));
      last = grown;
    } else if (c != '*' && c != '?') {
      add(last = 1);
    }
    if (open.back() > limit) return limit + 1;
  }
  uint64_t total = 0;
  for (uint64_t n : open) total = std::min(total + n, limit + 1);
  return total;
}

}  // namespace

Status check_regex(std::string_view pattern, int flags) {
  if (pattern.size() > kMaxRegexSize) return make_error(Errc::invalid, "regex too long");
  // A few thousand atoms compile in well under a millisecond.
  constexpr uint64_t kMaxExpandedAtoms = 4096;
  if (expanded_atoms(pattern, kMaxExpandedAtoms) > kMaxExpandedAtoms)
    return make_error(Errc::invalid, "regex repeats too much");
  int bounds = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      if (ascii::is_digit(pattern[i + 1])) return make_error(Errc::invalid, "regex back-references are not supported");
      ++i;
    } else if (c == '{') {
      if (++bounds > 4) return make_error(Errc::invalid, "regex has too many bounds");
      size_t j = i + 1;
      uint64_t n = 0;
      while (j < pattern.size() && (ascii::is_digit(pattern[j]) || pattern[j] == ',')) {
        if (pattern[j] == ',') n = 0;
        else n = n * 10 + uint64_t(pattern[j] - '0');
        if (n > 64) return make_error(Errc::invalid, "regex bound too large");
        ++j;
      }
    }
  }
  std::string pat(pattern);
  if (pat.find('\0') != std::string::npos) return make_error(Errc::invalid, "regex holds NUL");
  regex_t re;
  int rc = regcomp(&re, pat.c_str(), REG_EXTENDED | REG_NOSUB | ((flags & 1) ? REG_ICASE : 0));
  if (rc != 0) return make_error(Errc::invalid, "bad regex \"" + ascii::printable(pattern) + "\"");
  regfree(&re);
  return {};
}

namespace {

bool regex_match(std::string_view key, std::string_view value, bool icase,
                 std::vector<std::string>* captures) {
  if (!check_regex(key, icase ? 1 : 0)) return false;
  std::string pat(key), val(value);
  regex_t re;
  if (regcomp(&re, pat.c_str(), REG_EXTENDED | (icase ? REG_ICASE : 0)) != 0) return false;
  constexpr size_t kGroups = 10;
  regmatch_t m[kGroups];
  bool ok = regexec(&re, val.c_str(), kGroups, m, 0) == 0;
  if (ok && captures) {
    captures->clear();
    for (size_t i = 0; i < kGroups && i <= re.re_nsub; ++i) {
      if (m[i].rm_so < 0) captures->emplace_back();
      else captures->emplace_back(val.substr(size_t(m[i].rm_so), size_t(m[i].rm_eo - m[i].rm_so)));
    }
  }
  regfree(&re);
  return ok;
}

}  // namespace

bool match_value(const MatchSpec& m, std::string_view value, std::string_view key,
                 std::vector<std::string>* captures) {
  bool fold = m.cmp == Comparator::casemap;
  switch (m.kind) {
    case MatchKind::is:
      return compare(m.cmp, value, key) == 0 &&
             (m.cmp == Comparator::numeric || value.size() == key.size());
    case MatchKind::contains:
      if (m.cmp == Comparator::numeric) return false;
      return contains(value, key, fold);
    case MatchKind::matches:
      if (m.cmp == Comparator::numeric) return false;
      return wildcard_match(key, value, fold, captures);
    case MatchKind::regex:
      if (m.cmp == Comparator::numeric) return false;
      return regex_match(key, value, fold, captures);
    case MatchKind::value:
      return relation_holds(m.rel, compare(m.cmp, value, key));
    case MatchKind::count:
      return false;
  }
  return false;
}

}  // namespace courriel::sieve
