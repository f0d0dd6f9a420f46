// CommandReader: incremental framing of one IMAP command from a byte stream.
//
// RFC 3501 §2.2 / RFC 9051 §2.2: a command is one or more lines; a line that
// ends with a literal header ("{n}", "{n+}", "~{n}", "~{n+}"; RFC 3501 §4.3,
// RFC 7888 LITERAL+/LITERAL-, RFC 3516 BINARY) is followed by exactly n bytes
// and then the command continues on the same logical line.
//
// The reader is pure: it does no I/O and never blocks. The session feeds it the
// bytes it has read, and the reader says what happened:
//
//   need_more          everything given was consumed; feed more.
//   literal_announced  the current line ended with a literal header (literal()).
//                      The caller decides: accept_literal() (and, for a
//                      synchronizing literal, sends "+ ..." to the client) or
//                      reject_literal(). Announced whatever its size: the caller
//                      compares literal().size with its own limits
//                      (literal_within_limits() applies the reader's).
//   complete           a whole command is framed; take_command(), then reset().
//   line_too_long      a line was longer than max_line bytes.
//   command_too_long   the command's bytes exceeded max_command.
//   literal_too_big    a non-synchronizing literal was rejected.
//
// Error states are reported exactly once, after the rest of the offending
// command has been discarded: the reader keeps discarding bytes (returning
// need_more) up to the end of the command's last line, skipping the bodies of
// non-synchronizing literals announced on the way. A synchronizing literal
// header ends the discarded command (the client waits for a "+" that will not
// come and then reads our tagged response). So after any error state the
// caller answers (tag() is the tag if one was seen in the first max_line
// bytes), calls reset(), and the next byte fed starts the next command.
//
// Line ends: CRLF, or a bare LF (lenient, as Dovecot). The CR before the LF is
// not part of the line. In take_command() every line end between a literal
// header and its body is written as CRLF, whatever the client sent.
//
// Limits: max_line counts the bytes of one line before its LF (a CR included);
// max_command counts every byte of take_command(), accepted literal bodies
// included. A literal the caller accepts is never refused by the reader, but
// it counts toward max_command for the lines that follow it.
//
// Thread-safety: none; one reader per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courriel::imap {

struct ReaderLimits {
  size_t max_line = 64 * 1024;
  size_t max_literal = 64 * 1024;
  size_t max_command = 1024 * 1024;
};

// One literal header: {n} / {n+} / ~{n} / ~{n+}.
struct LiteralInfo {
  uint64_t size = 0;
  bool synchronizing = true;
  bool binary = false;  // literal8, "~{n}" (RFC 3516 §4.2)
};

// If `line` (a line without its CRLF) ends with a literal header, returns it and
// sets *header_len to the header's length. Sizes that do not fit in 64 bits are
// not literal headers (the parser then rejects the command).
std::optional<LiteralInfo> literal_header_at_end(std::string_view line,
                                                 size_t* header_len = nullptr);

class CommandReader {
 public:
  explicit CommandReader(ReaderLimits limits = {});

  enum class State {
    need_more,
    literal_announced,
    complete,
    line_too_long,
    literal_too_big,
    command_too_long,
  };
  struct Step {
    State state;
    size_t consumed;  // bytes of `data` used; the rest belongs to later calls
  };

  // Consumes what it can from `data` (which need not outlive the call). Stops
  // after a state other than need_more; while in such a state (until
  // accept/reject/reset), returns it again and consumes nothing.
  Step feed(std::string_view data);

  // REQUIRES: state literal_announced.
  const LiteralInfo& literal() const { return literal_; }
  // Whether the announced literal fits max_literal and max_command.
  bool literal_within_limits() const;
  // REQUIRES: state literal_announced. The literal's bytes become part of the
  // command; the caller sends "+ ..." first when it is synchronizing.
  void accept_literal();
  // REQUIRES: state literal_announced. Synchronizing: the command is dropped at
  // once (the client sends nothing more of it); the reader is as after reset()
  // except that tag() stays available until the next feed(). The caller
  // answers NO/BAD itself. Non-synchronizing: the reader discards the
  // literal's bytes and the rest of the command, then reports literal_too_big.
  void reject_literal();

  // REQUIRES: state complete. The command as on the wire, without its final
  // line end; literal headers and bodies inline ("A1 LOGIN {3}\r\nbob pw").
  std::string take_command();

  // The first token of the current command when it is a valid tag
  // (1*<ASTRING-CHAR except "+">, RFC 3501 §9) followed by a space or the end
  // of the line; else empty. Views the reader's buffer: valid until the next
  // non-const call.
  std::string_view tag() const;

  // Ready for the next command. Keeps the buffer's capacity small.
  void reset();

 private:
  enum class Mode {
    line,             // reading a line into buf_
    literal,          // copying remaining_ literal bytes into buf_
    announced,        // waiting for accept_literal()/reject_literal()
    skip_line,        // discarding to the end of the line
    skip_literal,     // discarding remaining_ literal bytes
    done,             // reporting result_ until reset()
  };

  // At the end of a line (content excludes CR/LF) in Mode::line.
  void end_line();
  // At the end of a discarded line whose last bytes are in skip_tail_.
  void end_skipped_line();
  void start_skipping(State result);
  void finish(State result) {
    mode_ = Mode::done;
    result_ = result;
  }

  ReaderLimits limits_;
  Mode mode_ = Mode::line;
  State result_ = State::need_more;
  std::string buf_;          // the command so far
  size_t line_start_ = 0;    // offset in buf_ of the current line
  size_t line_len_ = 0;      // bytes of the current line seen, kept or skipped
  uint64_t remaining_ = 0;   // literal bytes still to copy or skip
  LiteralInfo literal_;
  std::string skip_tail_;    // last bytes of a discarded line (literal header)
  State skip_result_ = State::need_more;
  std::string kept_tag_;     // tag of a command dropped by reject_literal()
};

}  // namespace courriel::imap
