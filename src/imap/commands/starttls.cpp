// STARTTLS — RFC 9051 §6.2.1, RFC 2595.
#include <spdlog/spdlog.h>

#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_starttls(Session& s, const Command& cmd) {
  if (s.transport().tls_active()) {
    s.out().tagged(cmd.tag, Reply::bad, "", "TLS is already active");
    co_return;
  }
  if (!s.services().tls) {
    s.out().tagged(cmd.tag, Reply::no, "UNAVAILABLE", "TLS is not configured");
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "Begin TLS negotiation now");
  if (!co_await s.flush()) co_return;
  // Anything the client pipelined after STARTTLS arrived in cleartext and must
  // not be executed as if it came over TLS (command injection, CVE-2011-0411).
  s.discard_pending_input();
  std::error_code ec;
  co_await s.transport().start_tls(*s.services().tls, ec);
  if (ec) {
    s.note("tls-handshake-failed=\"" + ec.message() + "\"");
    s.set_state(SessionState::logout);  // nothing more can be said on this connection
    co_return;
  }
  s.note("tls=\"" + s.transport().tls_description() + "\"");
}

}  // namespace courriel::imap
