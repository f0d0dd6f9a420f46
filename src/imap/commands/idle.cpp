// IDLE — RFC 2177 (RFC 9051 §6.3.13). Changes to the selected mailbox made in
// this process wake the session at once; changes by other processes
// (`courriel deliver`, other programs writing the Maildir) are seen by a poll.
#include <asio/experimental/awaitable_operators.hpp>

#include "base/ascii.h"
#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {
namespace {
constexpr std::chrono::seconds kPollOtherProcesses{15};
}

asio::awaitable<void> cmd_idle(Session& s, const Command& cmd) {
  using namespace asio::experimental::awaitable_operators;
  s.out().continuation("idling");
  for (;;) {
    // RFC 2177 §3: while idling, EXISTS and EXPUNGE may be sent at any time.
    if (s.selected()) s.out().append(co_await s.updates(true));
    if (s.state() == SessionState::logout || !co_await s.flush()) co_return;
    auto event = co_await (s.read_line() || s.wait_for_change(kPollOtherProcesses));
    if (event.index() == 1) continue;  // something may have changed
    const Session::Line& line = std::get<0>(event);
    if (line.status == Session::Line::closed) {
      s.set_state(SessionState::logout);
      co_return;
    }
    if (line.status == Session::Line::ok && ascii::iequals(line.text, "DONE")) break;
    s.out().tagged(cmd.tag, Reply::bad, "", "Expected DONE");
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "IDLE terminated");
}

}  // namespace courriel::imap
