// The command table (STYLE "One command, one file, one table"): every command
// Courriel implements, its handler in commands/, and the states it is valid in.
// The session does the single state check before dispatch.
#pragma once

#include <asio/awaitable.hpp>
#include <cstdint>

#include "imap/parser/command.h"

namespace courriel::imap {

class Session;

using CommandHandler = asio::awaitable<void> (*)(Session&, const Command&);

struct CommandSpec {
  CommandHandler handler;
  uint8_t states;  // bit set of SessionState values
};

// nullptr for a command that is not implemented (yet): the session answers BAD naming it.
const CommandSpec* find_command(CommandName name);

}  // namespace courriel::imap
