// SUBSCRIBE and UNSUBSCRIBE — RFC 9051 §6.3.7-8.
//
// Any valid name may be subscribed, existing or not (LIST (SUBSCRIBED) shows
// a missing one \NonExistent). Both are idempotent: subscribing a subscribed
// name or unsubscribing one that is not subscribed answers OK.
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/mailbox_name.h"
#include "imap/session.h"

namespace courriel::imap {
namespace {

asio::awaitable<void> set_subscription(Session& s, const Command& cmd, bool subscribed) {
  const auto& args = std::get<MailboxArgs>(cmd.args);
  auto name = mailbox_from_wire(args.mailbox, s.utf8());
  if (!name) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", name.error().detail);
    co_return;
  }
  const std::string& n = *name;
  Status done = co_await s.blocking([&] { return s.account().subscribe(n, subscribed); });
  if (!done && !(done.code() == Errc::not_found && !subscribed)) {
    answer_error(
        s.out(), cmd.tag, done.error(),
        done.code() == Errc::invalid ? "Invalid mailbox name" : "Cannot change the subscription",
        s.id());
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "",
                 subscribed ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

}  // namespace

asio::awaitable<void> cmd_subscribe(Session& s, const Command& cmd) {
  co_await set_subscription(s, cmd, true);
}

asio::awaitable<void> cmd_unsubscribe(Session& s, const Command& cmd) {
  co_await set_subscription(s, cmd, false);
}

}  // namespace courriel::imap
