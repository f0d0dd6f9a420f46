// Cursor: the tokenizer under every IMAP command parser. Internal to
// imap/parser (the command, search key and fetch attribute parsers share it).
//
// One method per rule of the formal syntax (RFC 3501 §9, RFC 9051 §9), so each
// rule is written once. Methods return false (or nullopt) on a syntax error
// after recording a message for the tagged BAD; the first message recorded
// wins, so a caller may add context by failing first. No method throws.
//
// Lifetime: the Cursor views the bytes given to its constructor; they must
// outlive it. Every string it returns owns its bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/calendar.h"
#include "imap/parser/command.h"

namespace courriel::imap {

class Cursor {
 public:
  // `streamed`: offsets in `input` of streamed literal headers
  // (CommandReader::streamed_literals()), ascending; viewed, must outlive the
  // Cursor.
  Cursor(std::string_view input, bool utf8_accepted, std::span<const size_t> streamed = {})
      : in_(input), utf8_(utf8_accepted), streamed_(streamed) {}

  bool at_end() const { return pos_ >= in_.size(); }
  bool peek(char c) const { return !at_end() && in_[pos_] == c; }
  // The next byte, or '\0' at the end (callers test at_end() where NUL matters).
  char peek_char() const { return at_end() ? '\0' : in_[pos_]; }
  bool consume(char c);
  size_t pos() const { return pos_; }
  bool utf8() const { return utf8_; }

  // Records `message` unless a message is already recorded; returns false.
  bool fail(std::string message);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  // SP before an argument named `what`: "Missing <what>" at the end of input,
  // else an error when the next byte is not exactly one SP.
  bool sp(std::string_view what);
  // The command must end here.
  bool end();
  // An argument must start here: "Missing <what>" at the end.
  bool need(std::string_view what);

  // 1*ATOM-CHAR (no 8-bit). Empty result means none was there (no error).
  std::string_view atom_chars();
  // tag = 1*<any ASTRING-CHAR except "+">; empty if none (no error).
  std::string_view tag_chars();
  // 1*ATOM-CHAR, or fail "Missing/Invalid <what>".
  bool atom(std::string_view what, std::string& out);
  // The same, upper-cased (keywords, capability names).
  bool keyword(std::string_view what, std::string& out);
  // A keyword equal to `kw` (upper-case) followed by a non-ATOM-CHAR; consumed
  // only on a match. No error either way.
  bool take_keyword(std::string_view kw);

  // RFC 9051 §9 quoted: DQUOTE *QUOTED-CHAR DQUOTE; only \" and \\ escapes,
  // no CR/LF/NUL, 8-bit only when utf8 (and then valid UTF-8).
  bool quoted(std::string& out);
  // literal / literal8. `allow8`: "~{n}" accepted; *binary says which was sent.
  // `allow_nul`: NUL bytes accepted in a plain literal (RFC 3501 forbids them).
  bool literal(std::string& out, bool allow8 = false, bool* binary = nullptr,
               bool allow_nul = false);
  // Whether a streamed literal's header starts here. literal() refuses it.
  bool at_streamed_literal() const;
  // A streamed literal's header (no line end, no body follows it): its size,
  // whether it is a literal8, and its index among the streamed literals.
  bool streamed_literal(uint64_t& size, bool& binary, size_t& index);
  // How many streamed literals streamed_literal() has consumed.
  size_t streamed_taken() const { return streamed_taken_; }

  // string = quoted / literal
  bool string(std::string_view what, std::string& out);
  // astring = 1*ASTRING-CHAR / string
  bool astring(std::string_view what, std::string& out);
  // nstring = string / NIL
  bool nstring(std::string_view what, std::optional<std::string>& out);
  // mailbox = "INBOX" / astring, INBOX normalised.
  bool mailbox(std::string_view what, std::string& out);
  // list-mailbox = 1*list-char / string (RFC 9051 §9).
  bool list_mailbox(std::string_view what, std::string& out);

  // number (32-bit), nz-number, number64 (RFC 9051), mod-sequence-value
  // (1..2^63-1) and mod-sequence-valzer (0..2^63-1) of RFC 7162 §7.
  bool number(std::string_view what, uint32_t& out);
  bool nz_number(std::string_view what, uint32_t& out);
  bool number64(std::string_view what, uint64_t& out, uint64_t max = UINT64_MAX);
  bool mod_sequence(std::string_view what, uint64_t& out, bool allow_zero);

  // sequence-set (RFC 9051 §9) or "$" (RFC 5182 §2 seq-last-command).
  bool sequence_set(SequenceSet& out, bool allow_saved = true);
  // Whether the next byte can start a sequence set.
  bool at_sequence_set() const;

  // flag (RFC 9051 §9): system flag (canonical case) or keyword atom. \Recent
  // and \* and unknown "\" flags are refused.
  bool flag(std::string& out);
  // flag-list = "(" [flag *(SP flag)] ")"
  bool flag_list(FlagList& out);

  // date = date-text / DQUOTE date-text DQUOTE (search keys).
  bool date(Date& out);
  // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
  bool date_time(DateTime& out);

  // "(" item *(SP item) ")" with item(): the shared list rule. `allow_empty`
  // accepts "()". Nested lists recurse through item().
  bool paren_list(std::string_view what, bool allow_empty, const std::function<bool()>& item);

  // Depth guard for recursive rules (search keys): false past the limit.
  bool enter(std::string_view what);
  void leave() { --depth_; }

 private:
  bool digits(std::string_view what, uint64_t max, uint64_t& out, bool nz);
  bool seq_number(uint32_t& out);
  bool date_month(int& out);
  bool check_8bit(std::string_view bytes);

  std::string_view in_;
  size_t pos_ = 0;
  bool utf8_ = false;
  std::span<const size_t> streamed_;
  size_t streamed_taken_ = 0;
  int depth_ = 0;
  std::string error_;
};

// Nesting limit for parenthesised lists, NOT and OR in search programs.
inline constexpr int kMaxNesting = 100;

// Days in a month of the Gregorian calendar.
int days_in_month(int year, int month);
// Whether `bytes` is valid UTF-8 (RFC 3629: no overlongs, surrogates, > U+10FFFF).

}  // namespace courriel::imap
