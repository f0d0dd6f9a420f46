// Framing of an LMTP byte stream, pure and incremental (the session feeds it
// what it has read; nothing blocks, nothing is read here):
//
//  - LineReader cuts command lines (RFC 5321 §2.3.8: CRLF; a bare LF is
//    accepted, as Postfix and Dovecot do), with a length limit: an overlong
//    line is skipped to its end and reported once (500 5.5.2, §4.5.3.1.4).
//  - BodyDecoder turns DATA's wire form into the message (RFC 5321 §4.5.2:
//    the end is a line holding only "."; a leading "." of any other line is
//    removed) and writes every line end as CRLF (bare LF, from senders that
//    do not canonicalise, becomes CRLF; a bare CR is kept). In raw mode, for
//    BDAT chunks (RFC 3030), it only normalises line ends, across chunks.
//
// Thread-safety: none; one of each per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace courriel::lmtp {

class LineReader {
 public:
  // `max_line` counts the bytes before the line end.
  explicit LineReader(size_t max_line) : max_line_(max_line) {}

  enum class State { need_more, line, too_long };
  struct Step {
    State state = State::need_more;
    // Bytes of `data` used. need_more with consumed < data.size() means: keep
    // the rest and feed it again with more bytes after it.
    size_t consumed = 0;
    std::string_view line;  // State::line: a view into `data`, without CRLF/LF
  };
  Step feed(std::string_view data);

 private:
  size_t max_line_;
  bool skipping_ = false;  // inside an overlong line
};

class BodyDecoder {
 public:
  enum class Mode { dot_terminated, raw };
  explicit BodyDecoder(Mode mode) : mode_(mode), state_(mode == Mode::raw ? mid : bol) {}

  struct Step {
    size_t consumed = 0;  // bytes of `data` used; all of them unless done
    bool done = false;    // dot_terminated: the end line was seen (and consumed)
  };
  // Appends the decoded bytes of `data` to `out`.
  Step feed(std::string_view data, std::string& out);
  // Raw mode, after the last chunk: writes a pending CR.
  void finish(std::string& out);

 private:
  enum State { bol, mid, cr, dot, dot_cr };
  Mode mode_;
  State state_;
};

}  // namespace courriel::lmtp
