// The client side of SMTP (RFC 5321), pure: what lmtp/smtp_client.h needs to
// talk to the relay that carries Sieve redirects and vacation replies.
//
//  - parse_reply() cuts one reply off the front of the bytes received:
//    "ddd-text" continuation lines, then "ddd text" or "ddd" (§4.2, §4.2.1:
//    every line of a multiline reply carries the same code). CRLF ends a
//    line; a bare LF is accepted.
//  - has_extension() reads an EHLO reply's keywords (§4.1.1.1).
//  - DotStuffer writes a message in DATA's wire form (§4.5.2): a '.' that
//    starts a line is doubled, and finish() adds the end line ".".
//
// Only our configured relay's replies are parsed here (not the open
// network's), so the limits are generous and errors simply end the session.
//
// Thread-safety: pure functions; a DotStuffer has one owner.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace courriel::lmtp {

struct SmtpReply {
  int code = 0;                    // 200..599
  std::vector<std::string> lines;  // each line's text, without the code and separator
  // The lines joined by spaces (for the log).
  std::string text() const;
};

struct ReplyStep {
  enum class State { need_more, reply, bad };
  State state = State::need_more;
  size_t consumed = 0;  // State::reply: bytes of the data the reply used
  SmtpReply reply;      // State::reply
  std::string error;    // State::bad: what was wrong
};

// Limits: a line (without its line end) of at most `max_line` bytes, a reply
// of at most `max_lines` lines; past them the reply is `bad`.
ReplyStep parse_reply(std::string_view data, size_t max_line = 4096, size_t max_lines = 256);

// Whether an EHLO reply advertises `keyword` (case-insensitive), e.g. "8BITMIME".
bool has_extension(const SmtpReply& ehlo, std::string_view keyword);

class DotStuffer {
 public:
  // Appends the wire form of `data` (the message's next bytes) to `out`.
  void feed(std::string_view data, std::string& out);
  // Ends the last line if it has no line end, then writes ".\r\n".
  void finish(std::string& out);

 private:
  bool at_line_start_ = true;
};

}  // namespace courriel::lmtp
