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

// When, after the command, the selected mailbox's changes are reported
// (RFC 9051 §7.4.1: no EXPUNGE during FETCH, STORE or SEARCH by sequence number).
enum class SyncAfter : uint8_t {
  all,                 // EXISTS, FETCH and EXPUNGE
  no_expunge_unless_uid,  // expunges wait unless it was the UID form
  none,                // the command sets the view itself (SELECT, CLOSE, ...)
};

struct CommandSpec {
  CommandHandler handler;
  uint8_t states;  // bit set of SessionState values
  SyncAfter sync = SyncAfter::all;
};

// nullptr for a command that is not implemented (yet): the session answers BAD naming it.
const CommandSpec* find_command(CommandName name);

}  // namespace courriel::imap
