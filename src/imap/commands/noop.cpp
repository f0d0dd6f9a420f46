// NOOP — RFC 9051 §6.1.2. (Later issues report mailbox changes here.)
#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_noop(Session& s, const Command& cmd) {
  s.out().tagged(cmd.tag, Reply::ok, "", "NOOP completed");
  co_return;
}

}  // namespace courriel::imap
