// ManageSieve command framing and parsing (RFC 5804 §4): one command is an
// atom (its name) followed by strings, numbers or atoms and CRLF; a string is
// quoted ("..." with \" and \\ escapes) or a literal {n+}CRLF<n bytes>. A
// synchronising literal {n} is read the same way: no continuation is sent,
// as RFC 5804 has none (literal-s2c is the server's form; clients that send
// it are accepted).
//
// Pure and stateless: the caller keeps the received bytes, calls
// parse_command on them and, once a step is complete or an error, drops
// `consumed` bytes.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace courriel::managesieve {

struct Limits {
  size_t max_line = 8 * 1024;       // bytes outside literals
  size_t max_literal = 1 << 20;     // one literal
};

struct Command {
  std::string name;               // upper case; empty for a response line
  std::vector<std::string> args;  // strings decoded, atoms and numbers verbatim
};

struct Step {
  // too_big: a literal over max_literal was announced; drop `consumed` bytes
  // (up to the literal's data), then `skip` bytes of data, then the rest of
  // the line, and refuse the command.
  enum State { need_more, complete, error, fatal, too_big } state = need_more;
  size_t consumed = 0;  // complete/error: bytes to drop (the whole line)
  uint64_t skip = 0;    // too_big: the literal's size
  Command command;
  std::string message;  // error/fatal: what is wrong ("fatal": cannot resync)
};

// Frames and parses one command at the start of `input`. With
// `named` == false the line is a client's SASL response: every token is an
// argument (AUTHENTICATE continuation, RFC 5804 §2.1).
Step parse_command(std::string_view input, const Limits& limits, bool named = true);

// The string `s` in the server's form: quoted when it can be, else a literal
// {n}CRLF<bytes> (RFC 5804 §4).
std::string quote(std::string_view s);

}  // namespace courriel::managesieve
