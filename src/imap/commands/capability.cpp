// CAPABILITY — RFC 9051 §6.1.1.
#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_capability(Session& s, const Command& cmd) {
  s.out().untagged("CAPABILITY " + s.capabilities());
  s.out().tagged(cmd.tag, Reply::ok, "", "CAPABILITY completed");
  co_return;
}

}  // namespace courriel::imap
