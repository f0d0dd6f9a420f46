// LOGOUT — RFC 9051 §6.1.3: untagged BYE, then the tagged OK, then close.
#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_logout(Session& s, const Command& cmd) {
  s.out().untagged("BYE Logging out");
  s.out().tagged(cmd.tag, Reply::ok, "", "LOGOUT completed");
  s.set_state(SessionState::logout);
  co_return;
}

}  // namespace courriel::imap
