// ENABLE — RFC 5161. Only extensions Courriel implements can be enabled; the
// untagged ENABLED lists those that this command newly turned on (§3.1). None
// exists yet (CONDSTORE, QRESYNC, UTF8=ACCEPT, IMAP4rev2 come with their
// issues), so the list is empty, which RFC 5161 allows.
#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_enable(Session& s, const Command& cmd) {
  s.out().untagged("ENABLED");
  s.out().tagged(cmd.tag, Reply::ok, "", "ENABLE completed");
  co_return;
}

}  // namespace courriel::imap
