// NAMESPACE — RFC 2342, RFC 9051 §6.3.10. One personal namespace with no
// prefix and "/" as the separator; no other users' or shared namespaces yet.
#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_namespace(Session& s, const Command& cmd) {
  s.out().untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  s.out().tagged(cmd.tag, Reply::ok, "", "NAMESPACE completed");
  co_return;
}

}  // namespace courriel::imap
