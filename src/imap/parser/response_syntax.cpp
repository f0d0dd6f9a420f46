#include "imap/parser/response_syntax.h"

#include "base/ascii.h"
#include "base/mutf7.h"
#include "base/utf8.h"
#include "imap/parser/cursor.h"
#include "imap/parser/syntax_chars.h"

namespace courriel::imap {
namespace {

// Longest string sent quoted; longer ones go as literals (many clients cap
// quoted strings, and literals need no escaping).
constexpr size_t kMaxQuoted = 1000;

bool quotable(std::string_view s, bool utf8) {
  if (s.size() >= kMaxQuoted) return false;
  bool has_8bit = false;
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
    if (chars::is_8bit(c)) has_8bit = true;
  }
  return !has_8bit || (utf8 && valid_utf8(s));
}

template <class Pred>
bool all_of_nonempty(std::string_view s, Pred pred) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

void append_number(std::string& out, uint64_t n) { out += std::to_string(n); }

// Civil date from days since 1970-01-01 (H. Hinnant's civil_from_days).
void civil_from_days(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

void two_digits(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10 % 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

}  // namespace

void append_string(std::string& out, std::string_view s, bool utf8) {
  if (quotable(s, utf8)) {
    out.push_back('"');
    for (char c : s) {
      if (chars::is_quoted_special(c)) out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
    return;
  }
  out.push_back('{');
  append_number(out, s.size());
  out += "}\r\n";
  out += s;
}

void append_astring(std::string& out, std::string_view s, bool utf8) {
  if (all_of_nonempty(s, chars::is_astring_char) && !ascii::iequals(s, "NIL")) {
    out += s;
  } else {
    append_string(out, s, utf8);
  }
}

void append_nstring(std::string& out, std::optional<std::string_view> s, bool utf8) {
  if (!s) {
    out += "NIL";
  } else {
    append_string(out, *s, utf8);
  }
}

void append_atom_or_string(std::string& out, std::string_view s, bool utf8) {
  if (all_of_nonempty(s, chars::is_atom_char) && !ascii::iequals(s, "NIL")) {
    out += s;
  } else {
    append_string(out, s, utf8);
  }
}

void append_mailbox(std::string& out, std::string_view utf8_name, bool utf8_accepted) {
  if (utf8_accepted) {
    append_astring(out, utf8_name, true);
  } else {
    append_astring(out, mutf7_encode(utf8_name), false);
  }
}

void append_sequence_set(std::string& out, std::span<const uint32_t> sorted) {
  bool first = true;
  size_t i = 0;
  while (i < sorted.size()) {
    uint32_t start = sorted[i];
    uint32_t end = start;
    ++i;
    while (i < sorted.size() && (sorted[i] == end || sorted[i] == end + 1)) end = sorted[i++];
    if (!first) out.push_back(',');
    first = false;
    append_number(out, start);
    if (end != start) {
      out.push_back(':');
      append_number(out, end);
    }
  }
}

std::string format_internal_date(int64_t epoch, int offset_minutes) {
  static constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t local = epoch + int64_t{offset_minutes} * 60;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t secs = local - days * 86400;
  int y = 0, m = 0, d = 0;
  civil_from_days(days, y, m, d);
  std::string out;
  two_digits(out, d);
  out.push_back('-');
  out += kMonths[m - 1];
  out.push_back('-');
  std::string year = std::to_string(y);
  if (year.size() < 4) out.append(4 - year.size(), '0');
  out += year;
  out.push_back(' ');
  two_digits(out, static_cast<int>(secs / 3600));
  out.push_back(':');
  two_digits(out, static_cast<int>(secs / 60 % 60));
  out.push_back(':');
  two_digits(out, static_cast<int>(secs % 60));
  out.push_back(' ');
  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  out.push_back(offset_minutes < 0 ? '-' : '+');
  two_digits(out, off / 60);
  two_digits(out, off % 60);
  return out;
}

}  // namespace courriel::imap
