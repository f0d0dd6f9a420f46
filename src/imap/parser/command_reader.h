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
//                      A third choice, stream_literal(), hands the body out
//                      instead of keeping it (see "Streamed literals").
//   literal_chunk      after stream_literal(): Step::chunk holds the next bytes
//                      of the streamed literal's body (see below).
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
// Streamed literals (DESIGN.md §4 "Large literals are streamed"): for an
// APPEND message literal (see announces_append_message() in command_parser.h)
// the caller may call stream_literal() instead of accept_literal(). Each
// following feed() then returns State::literal_chunk with Step::chunk = the
// next body bytes (a view into that feed()'s `data`, Step::consumed ==
// chunk.size(), never empty), until the literal's last byte has been handed
// out; the next feed() goes on with the rest of the command as usual. A
// literal of size 0 yields no literal_chunk step at all. Streamed bodies are
// never buffered and do not count toward max_command (nor max_literal: the
// caller applies its own limit, e.g. APPENDLIMIT, before streaming).
//
// Representation of a streamed literal in take_command(): its header only
// ("{n}", "{n+}", "~{n}", "~{n+}"), immediately followed by the rest of the
// line, with no line end and no body:
//     wire:   A1 APPEND INBOX (\Seen) {300}\r\n<300 bytes> {2}\r\nhi\r\n
//     frame:  A1 APPEND INBOX (\Seen) {300} {2}\r\nhi
// and streamed_literals() lists the byte offset in the frame of each streamed
// header's first byte ('{' or '~'), ascending; parse_command() must be given
// them (ParseOptions::streamed_literals). The offsets are the only authority:
// a client that sends "{300} " inside a line (or any bytes inside a kept
// literal) cannot make it count as streamed, and parse_command() without the
// offsets rejects such a header (no CRLF after it), so a frame parsed without
// its offsets fails instead of silently misreading the text after a streamed
// header as a body.
//
// Thread-safety: none; one reader per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
    literal_chunk,  // Step::chunk is the next piece of a streamed literal
  };
  struct Step {
    State state;
    size_t consumed;  // bytes of `data` used; the rest belongs to later calls
    // State literal_chunk: the bytes of the streamed literal, a view of the
    // first `consumed` bytes of `data`. Empty in every other state.
    std::string_view chunk = {};
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
  // REQUIRES: state literal_announced. Like accept_literal() (the caller sends
  // "+ ..." first when it is synchronizing), but the body is handed out by
  // the next feed() calls as literal_chunk steps instead of being kept, and
  // the header is recorded in streamed_literals() (see above).
  void stream_literal();
  // REQUIRES: a streamed literal is in progress (after stream_literal(),
  // before its last chunk). For a caller that cannot take the body (e.g. disk
  // full): the rest of the body and of the command are discarded as for a
  // rejected non-synchronizing literal, then literal_too_big is reported.
  void abandon_literal();
  // The bytes of the current command framed so far (lines, kept literals and
  // streamed literal headers as in take_command()). In state
  // literal_announced it ends with the announced literal's header (no line
  // end after it). Views the reader's buffer: valid until the next non-const
  // call. Empty after take_command().
  std::string_view partial_command() const;
  // Offsets in the command of the streamed literals' headers, ascending (see
  // "Representation" above). Valid from stream_literal() until reset(), also
  // after take_command(); pass them as ParseOptions::streamed_literals.
  const std::vector<size_t>& streamed_literals() const { return streamed_; }

  // REQUIRES: state complete. The command as on the wire, without its final
  // line end; literal headers and bodies inline ("A1 LOGIN {3}\r\nbob pw"),
  // streamed literals as their header alone (see above).
  std::string take_command();

  // The first token of the current command when it is a valid tag
  // (1*<ASTRING-CHAR except "+">, RFC 3501 §9) followed by a space or the end
  // of the line; else empty. Views the reader's buffer: valid until the next
  // non-const call.
  std::string_view tag() const;

  // Ready for the next command. Keeps the buffer's capacity small. Also ends a
  // streamed literal in progress: the next byte fed starts a new command.
  void reset();

 private:
  enum class Mode {
    line,          // reading a line into buf_
    literal,       // copying remaining_ literal bytes into buf_
    stream,        // handing out remaining_ literal bytes as chunks
    announced,     // waiting for accept_literal()/reject_literal()
    skip_line,     // discarding to the end of the line
    skip_literal,  // discarding remaining_ literal bytes
    done,          // reporting result_ until reset()
  };

  // At the end of a line (content excludes CR/LF) in Mode::line.
  void end_line();
  // At the end of a discarded line whose last bytes are in skip_tail_.
  void end_skipped_line();
  void start_skipping(State result);
  // After a literal's body: the command goes on with a new line segment.
  void continue_line();
  void finish(State result) {
    mode_ = Mode::done;
    result_ = result;
  }

  ReaderLimits limits_;
  Mode mode_ = Mode::line;
  State result_ = State::need_more;
  std::string buf_;         // the command so far
  size_t line_start_ = 0;   // offset in buf_ of the current line
  size_t line_len_ = 0;     // bytes of the current line seen, kept or skipped
  uint64_t remaining_ = 0;  // literal bytes still to copy or skip
  LiteralInfo literal_;
  size_t header_len_ = 0;        // of the announced literal's header
  std::vector<size_t> streamed_;  // offsets of streamed literal headers
  std::string skip_tail_;  // last bytes of a discarded line (literal header)
  State skip_result_ = State::need_more;
  std::string kept_tag_;  // tag of a command dropped by reject_literal()
};

}  // namespace courriel::imap
