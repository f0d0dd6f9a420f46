// LMTP command lines (RFC 2033 §4, with the SMTP grammar of RFC 5321 §4.1):
// one line, without its CRLF, in; a typed Command or the reply that refuses
// it out. Pure: no state, no I/O. The session applies the sequence rules
// (503 bad sequence) and the limits it knows (SIZE against its maximum).
//
// Accepted forms (verbs case-insensitive):
//   LHLO domain                       (HELO and EHLO are recognised so that the
//                                      session can refuse them: RFC 2033 §4.1)
//   MAIL FROM:<path> [SIZE=n] [BODY=7BIT|8BITMIME]   (RFC 1870, RFC 6152)
//   RCPT TO:<path>
//   DATA | BDAT n [LAST] (RFC 3030) | RSET | NOOP [text] | QUIT | VRFY text
// A space after the colon ("MAIL FROM: <a@b>") is tolerated, as most
// servers do. A source route ("<@a,@b:u@d>", RFC 5321 §4.1.2) is dropped.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courriel::lmtp {

enum class Verb { lhlo, helo, ehlo, mail, rcpt, data, bdat, rset, noop, quit, vrfy, unknown };

enum class BodyType { unspecified, seven_bit, eight_bit_mime };

struct Command {
  Verb verb = Verb::unknown;
  std::string name;      // the verb in upper case, as the log shows it
  std::string argument;  // LHLO's domain, VRFY's and NOOP's text
  std::string address;   // MAIL/RCPT path without '<>' or route; "" is the null path
  std::optional<uint64_t> size;  // MAIL SIZE= (RFC 1870)
  BodyType body = BodyType::unspecified;
  uint64_t chunk_size = 0;  // BDAT
  bool last = false;        // BDAT ... LAST
};

struct ParseOutcome {
  std::optional<Command> command;
  // When command is empty: the whole reply line to send, without CRLF,
  // e.g. "501 5.5.4 Syntax: MAIL FROM:<address>".
  std::string error;
  bool ok() const { return command.has_value(); }
};

// Longest path accepted (RFC 5321 §4.5.3.1.3: 256 octets with the brackets).
inline constexpr size_t kMaxPath = 256;

ParseOutcome parse_command(std::string_view line);

// Splits an address's local part at the first `delimiter` (RFC 5233
// subaddressing: "user+detail"). An empty delimiter never splits.
struct LocalPart {
  std::string user;
  std::string detail;
};
LocalPart split_local_part(std::string_view local, std::string_view delimiter);

// Splits "local@domain" at its last '@' (a quoted local part may contain
// '@'); nullopt domain when there is none ("postmaster").
struct AddressParts {
  std::string local;
  std::optional<std::string> domain;
};
AddressParts split_address(std::string_view address);

}  // namespace courriel::lmtp
