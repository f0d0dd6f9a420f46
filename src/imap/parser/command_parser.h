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

#include <optional>
#include <string>
#include <string_view>

#include "imap/parser/command.h"

namespace courriel::imap {

struct ParseOptions {
  // IMAP4rev2 or UTF8=ACCEPT enabled (RFC 6855 §3): 8-bit UTF-8 allowed in
  // quoted strings.
  bool utf8_accepted = false;
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

}  // namespace courriel::imap
