#include "imap/parser/cursor.h"

#include <algorithm>

#include "base/ascii.h"
#include "base/calendar.h"
#include "base/utf8.h"
#include "imap/parser/syntax_chars.h"

namespace courriel::imap {
namespace {

constexpr std::string_view kMonths[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
// RFC 9051 §9: number64 and mod-sequence-value are at most 2^63-1.
constexpr uint64_t kMax63 = INT64_MAX;

std::string missing(std::string_view what) { return "Missing " + std::string(what); }
std::string invalid(std::string_view what) { return "Invalid " + std::string(what); }

}  // namespace

int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

bool Cursor::consume(char c) {
  if (!peek(c)) return false;
  ++pos_;
  return true;
}

bool Cursor::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  return false;
}

bool Cursor::sp(std::string_view what) {
  if (at_end()) return fail(missing(what));
  if (peek(')')) return fail(missing(what) + " before )");
  if (!consume(' ')) return fail("Expected a space before " + std::string(what));
  if (at_end()) return fail(missing(what));
  if (peek(' ')) return fail("Extra space before " + std::string(what));
  return true;
}

bool Cursor::end() {
  if (!at_end()) return fail("Unexpected text after command");
  return true;
}

bool Cursor::need(std::string_view what) {
  if (at_end()) return fail(missing(what));
  return true;
}

std::string_view Cursor::atom_chars() {
  size_t start = pos_;
  while (!at_end() && chars::is_atom_char(in_[pos_])) ++pos_;
  return in_.substr(start, pos_ - start);
}

std::string_view Cursor::tag_chars() {
  size_t start = pos_;
  while (!at_end() && chars::is_tag_char(in_[pos_])) ++pos_;
  return in_.substr(start, pos_ - start);
}

bool Cursor::atom(std::string_view what, std::string& out) {
  if (!need(what)) return false;
  std::string_view a = atom_chars();
  if (a.empty()) return fail(invalid(what));
  out.assign(a);
  return true;
}

bool Cursor::keyword(std::string_view what, std::string& out) {
  if (!atom(what, out)) return false;
  out = ascii::upper(out);
  return true;
}

bool Cursor::take_keyword(std::string_view kw) {
  if (in_.size() - pos_ < kw.size() || !ascii::iequals(in_.substr(pos_, kw.size()), kw))
    return false;
  size_t after = pos_ + kw.size();
  if (after < in_.size() && chars::is_atom_char(in_[after])) return false;
  pos_ = after;
  return true;
}

bool Cursor::check_8bit(std::string_view bytes) {
  if (!utf8_) return fail("8-bit characters in a quoted string (use a literal)");
  if (!valid_utf8(bytes)) return fail("Invalid UTF-8 in a quoted string");
  return true;
}

bool Cursor::quoted(std::string& out) {
  if (!consume('"')) return fail("Expected a quoted string");
  out.clear();
  bool has_8bit = false;
  while (!at_end()) {
    char c = in_[pos_++];
    if (c == '"') return has_8bit ? check_8bit(out) : true;
    if (c == '\\') {
      if (at_end()) break;
      c = in_[pos_++];
      // RFC 9051 §9: quoted-specials are the only escapes.
      if (!chars::is_quoted_special(c)) return fail("Invalid escape in a quoted string");
    } else if (c == '\r' || c == '\n') {
      return fail("CR or LF in a quoted string");
    } else if (c == '\0') {
      return fail("NUL in a quoted string");
    } else if (chars::is_8bit(c)) {
      has_8bit = true;
    }
    out.push_back(c);
  }
  return fail("Unterminated quoted string");
}

bool Cursor::at_streamed_literal() const {
  return std::binary_search(streamed_.begin(), streamed_.end(), pos_);
}

bool Cursor::streamed_literal(uint64_t& size, bool& binary, size_t& index) {
  auto it = std::lower_bound(streamed_.begin(), streamed_.end(), pos_);
  if (it == streamed_.end() || *it != pos_) return fail("Expected a streamed literal");
  bool is8 = consume('~');
  if (!consume('{')) return fail("Invalid literal");
  size_t start = pos_;
  while (!at_end() && ascii::is_digit(in_[pos_])) ++pos_;
  auto n = ascii::parse_u64(in_.substr(start, pos_ - start));
  if (!n) return fail("Invalid literal size");
  consume('+');
  if (!consume('}')) return fail("Invalid literal");
  size = *n;
  binary = is8;
  index = static_cast<size_t>(it - streamed_.begin());
  ++streamed_taken_;
  return true;
}

bool Cursor::literal(std::string& out, bool allow8, bool* binary, bool allow_nul) {
  // Only an APPEND message may be streamed (parse_append asks first).
  if (at_streamed_literal()) return fail("Literal not allowed here");
  bool is8 = consume('~');
  if (is8 && !allow8) return fail("literal8 is not allowed here");
  if (!consume('{')) return fail("Expected a literal");
  size_t start = pos_;
  while (!at_end() && ascii::is_digit(in_[pos_])) ++pos_;
  auto size = ascii::parse_u64(in_.substr(start, pos_ - start));
  if (!size) return fail("Invalid literal size");
  consume('+');  // RFC 7888 non-synchronizing literal
  if (!consume('}') || !consume('\r') || !consume('\n')) return fail("Invalid literal");
  if (*size > in_.size() - pos_) return fail("Literal shorter than announced");
  std::string_view body = in_.substr(pos_, static_cast<size_t>(*size));
  // RFC 3501 §4.3: CHAR8 excludes NUL; only literal8 may carry it.
  if (!is8 && !allow_nul && body.find('\0') != std::string_view::npos)
    return fail("NUL in a literal (use literal8)");
  out.assign(body);
  pos_ += body.size();
  if (binary) *binary = is8;
  return true;
}

bool Cursor::string(std::string_view what, std::string& out) {
  if (!need(what)) return false;
  if (peek('"')) return quoted(out);
  if (peek('{') || peek('~')) return literal(out);
  return fail(invalid(what) + " (expected a string)");
}

bool Cursor::astring(std::string_view what, std::string& out) {
  if (!need(what)) return false;
  if (peek('"') || peek('{') || peek('~')) return string(what, out);
  size_t start = pos_;
  while (!at_end() && chars::is_astring_char(in_[pos_])) ++pos_;
  if (pos_ == start) return fail(invalid(what));
  out.assign(in_.substr(start, pos_ - start));
  return true;
}

bool Cursor::nstring(std::string_view what, std::optional<std::string>& out) {
  if (take_keyword("NIL")) {
    out.reset();
    return true;
  }
  std::string s;
  if (!string(what, s)) return false;
  out = std::move(s);
  return true;
}

bool Cursor::mailbox(std::string_view what, std::string& out) {
  if (!astring(what, out)) return false;
  // RFC 3501 §5.1: INBOX is case-insensitive.
  if (ascii::iequals(out, "INBOX")) out = "INBOX";
  return true;
}

bool Cursor::list_mailbox(std::string_view what, std::string& out) {
  if (!need(what)) return false;
  if (peek('"') || peek('{') || peek('~')) return string(what, out);
  size_t start = pos_;
  while (!at_end() && chars::is_list_char(in_[pos_])) ++pos_;
  if (pos_ == start) return fail(invalid(what));
  out.assign(in_.substr(start, pos_ - start));
  return true;
}

bool Cursor::digits(std::string_view what, uint64_t max, uint64_t& out, bool nz) {
  if (!need(what)) return false;
  size_t start = pos_;
  while (!at_end() && ascii::is_digit(in_[pos_])) ++pos_;
  std::string_view d = in_.substr(start, pos_ - start);
  if (d.empty()) return fail(invalid(what));
  if (nz && d[0] == '0') return fail(invalid(what) + " (must be non-zero)");
  auto v = ascii::parse_u64(d, max);
  if (!v) return fail(invalid(what) + " (too large)");
  out = *v;
  return true;
}

bool Cursor::number(std::string_view what, uint32_t& out) {
  uint64_t v;
  if (!digits(what, UINT32_MAX, v, false)) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

bool Cursor::nz_number(std::string_view what, uint32_t& out) {
  uint64_t v;
  if (!digits(what, UINT32_MAX, v, true)) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

bool Cursor::number64(std::string_view what, uint64_t& out, uint64_t max) {
  return digits(what, std::min(max, kMax63), out, false);
}

bool Cursor::mod_sequence(std::string_view what, uint64_t& out, bool allow_zero) {
  if (!number64(what, out)) return false;
  if (out == 0 && !allow_zero) return fail(invalid(what) + " (must be non-zero)");
  return true;
}

bool Cursor::at_sequence_set() const {
  char c = peek_char();
  return ascii::is_digit(c) || c == '*' || c == '$';
}

bool Cursor::seq_number(uint32_t& out) {
  if (consume('*')) {
    out = SeqRange::kStar;
    return true;
  }
  if (peek('0')) return fail("Invalid sequence set (0 is not a message number)");
  uint64_t v;
  if (!digits("sequence set", UINT32_MAX, v, true)) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

bool Cursor::sequence_set(SequenceSet& out, bool allow_saved) {
  if (!need("sequence set")) return false;
  out = {};
  if (consume('$')) {
    if (!allow_saved) return fail("Invalid sequence set ($ is not allowed here)");
    out.saved = true;
  } else {
    do {
      SeqRange r;
      if (!seq_number(r.first)) return false;
      r.last = r.first;
      if (consume(':') && !seq_number(r.last)) return false;
      out.ranges.push_back(r);
    } while (consume(','));
  }
  if (!at_end() && !peek(' ') && !peek(')')) return fail("Invalid sequence set");
  return true;
}

bool Cursor::flag(std::string& out) {
  if (!need("flag")) return false;
  if (consume('\\')) {
    std::string_view name = atom_chars();
    static constexpr std::string_view kSystem[] = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen",
                                                   "\\Draft"};
    for (std::string_view f : kSystem) {
      if (ascii::iequals(name, f.substr(1))) {
        out.assign(f);
        return true;
      }
    }
    if (ascii::iequals(name, "Recent")) return fail("\\Recent cannot be set by a client");
    return fail("Invalid system flag \\" + std::string(name));
  }
  return atom("flag", out);
}

bool Cursor::flag_list(FlagList& out) {
  out.clear();
  return paren_list("flag list", true, [&] {
    std::string f;
    if (!flag(f)) return false;
    out.push_back(std::move(f));
    return true;
  });
}

bool Cursor::date_month(int& out) {
  if (in_.size() - pos_ < 3) return fail("Invalid date (month)");
  for (int m = 0; m < 12; ++m) {
    if (ascii::iequals(in_.substr(pos_, 3), kMonths[m])) {
      out = m + 1;
      pos_ += 3;
      return true;
    }
  }
  return fail("Invalid date (month)");
}

namespace {

// Exactly n digits from s at pos.
bool fixed_digits(std::string_view s, size_t& pos, int n, int& out) {
  if (s.size() - pos < static_cast<size_t>(n)) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!ascii::is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

}  // namespace

bool Cursor::date(Date& out) {
  if (!need("date")) return false;
  bool quoted = consume('"');
  // date-day = 1*2DIGIT
  int day = 0;
  if (!fixed_digits(in_, pos_, 2, day) && !fixed_digits(in_, pos_, 1, day))
    return fail("Invalid date (day)");
  if (!consume('-')) return fail("Invalid date");
  int month = 0;
  if (!date_month(month)) return false;
  int year = 0;
  if (!consume('-') || !fixed_digits(in_, pos_, 4, year)) return fail("Invalid date (year)");
  if (day < 1 || day > days_in_month(year, month)) return fail("Invalid date (no such day)");
  if (quoted && !consume('"')) return fail("Invalid date (missing closing quote)");
  out = {year, month, day};
  return true;
}

bool Cursor::date_time(DateTime& out) {
  if (!consume('"')) return fail("Invalid date-time");
  int day = 0;
  // date-day-fixed = (SP DIGIT) / 2DIGIT
  if (consume(' ')) {
    if (!fixed_digits(in_, pos_, 1, day)) return fail("Invalid date-time (day)");
  } else if (!fixed_digits(in_, pos_, 2, day)) {
    return fail("Invalid date-time (day)");
  }
  int month = 0, year = 0, hh = 0, mm = 0, ss = 0, zone = 0;
  if (!consume('-') || !date_month(month)) return fail("Invalid date-time (month)");
  if (!consume('-') || !fixed_digits(in_, pos_, 4, year)) return fail("Invalid date-time (year)");
  if (!consume(' ') || !fixed_digits(in_, pos_, 2, hh) || !consume(':') ||
      !fixed_digits(in_, pos_, 2, mm) || !consume(':') || !fixed_digits(in_, pos_, 2, ss))
    return fail("Invalid date-time (time)");
  if (!consume(' ')) return fail("Invalid date-time (zone)");
  int sign = consume('+') ? 1 : consume('-') ? -1 : 0;
  if (sign == 0 || !fixed_digits(in_, pos_, 4, zone)) return fail("Invalid date-time (zone)");
  if (!consume('"')) return fail("Invalid date-time");
  if (day < 1 || day > days_in_month(year, month)) return fail("Invalid date-time (no such day)");
  // Seconds up to 60 for a leap second.
  if (hh > 23 || mm > 59 || ss > 60) return fail("Invalid date-time (time out of range)");
  if (zone / 100 > 23 || zone % 100 > 59) return fail("Invalid date-time (zone out of range)");
  int offset = sign * (zone / 100 * 60 + zone % 100);
  out.offset_minutes = offset;
  out.epoch =
      days_from_civil(year, month, day) * 86400 + hh * 3600 + mm * 60 + ss - int64_t{offset} * 60;
  return true;
}

bool Cursor::paren_list(std::string_view what, bool allow_empty,
                        const std::function<bool()>& item) {
  if (!need(what)) return false;
  if (!consume('(')) return fail("Expected ( to open " + std::string(what));
  if (consume(')')) return allow_empty ? true : fail("Empty " + std::string(what));
  for (;;) {
    if (peek(' ')) return fail("Extra space in " + std::string(what));
    if (!item()) return fail(invalid(what));
    if (consume(')')) return true;
    if (at_end()) return fail("Missing ) after " + std::string(what));
    if (!consume(' ')) return fail("Expected a space or ) in " + std::string(what));
    if (peek(')')) return fail("Extra space in " + std::string(what));
  }
}

bool Cursor::enter(std::string_view what) {
  if (depth_ >= kMaxNesting) return fail("Too deeply nested " + std::string(what));
  ++depth_;
  return true;
}

}  // namespace courriel::imap
