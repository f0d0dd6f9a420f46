// parse_command(): one framed IMAP command (CommandReader::take_command())
// into the typed AST of command.h.
//
// Pure and total: any input bytes give either a Command or a ParseError whose
// message is fit for the tagged BAD response; nothing throws, nothing recurses
// without a bound (search programs nest at most kMaxNesting deep).
//
// Strict like the formal syntax (RFC 3501 §9, RFC 9051 §9): exactly one SP
// between tokens, no trailing text. An unknown command name is not an error:
// it parses to CommandName::unknown with name_text set, and its arguments are
// not looked at, so the dispatcher can answer "BAD Unknown command".
//
// Lifetime: the result owns all its bytes; `bytes` may be freed afterwards.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imap/parser/command.h"

namespace courriel::imap {

struct ParseOptions {
  // IMAP4rev2 or UTF8=ACCEPT enabled (RFC 6855 §3): 8-bit UTF-8 allowed in
  // quoted strings.
  bool utf8_accepted = false;
  // CommandReader::streamed_literals() of the frame: offsets of the headers
  // of literals whose bodies were streamed (see command_reader.h). Each must
  // be an APPEND message literal; it parses to AppendMessage::streamed. A
  // streamed literal anywhere else makes the command BAD ("Literal not
  // allowed here"); an unknown command's arguments are not looked at.
  std::vector<size_t> streamed_literals;
};

struct ParseError {
  std::string tag;      // empty if no valid tag could be read (answer "* BAD")
  std::string message;  // human text for the BAD response
};

// Exactly one of command / error is meaningful: command is set on success.
struct ParseOutcome {
  std::optional<Command> command;
  ParseError error;  // valid iff !command
  bool ok() const { return command.has_value(); }
};

ParseOutcome parse_command(std::string_view bytes, const ParseOptions& opts);

// Whether `partial` (CommandReader::partial_command()) begins
// `tag SP "APPEND" SP`: a valid tag, exactly one SP, the command name in any
// case, one SP; anything may follow. "UID APPEND" is not a command: false.
bool is_append_prefix(std::string_view partial);

// Whether the literal just announced is an APPEND message literal, i.e. one
// the session may stream. `partial` is CommandReader::partial_command() in
// state literal_announced: the command so far, ending with the announced
// literal header ("{n}", "{n+}", "~{n}", "~{n+}"; a CRLF after the header is
// tolerated). `streamed` is CommandReader::streamed_literals() (the headers of
// the command's literals already streamed). True iff the bytes before the
// header are a valid prefix of
//   tag SP "APPEND" SP mailbox 1*(SP [flag-list SP] [date-time SP] append-data)
// that stops where a message's data starts: after the mailbox and any
// earlier messages, optional flag list and date-time, or after "UTF8 (" when
// the header is a literal8 (RFC 6855 §4). False for the mailbox name sent as a
// literal ("A APPEND {5}"), for anything malformed before the header, and for
// every other command. Pure; never reads past `partial`.
bool announces_append_message(std::string_view partial, std::span<const size_t> streamed = {});

}  // namespace courriel::imap
