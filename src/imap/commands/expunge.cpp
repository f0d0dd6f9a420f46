// EXPUNGE — RFC 9051 §6.4.3; UID EXPUNGE — RFC 4315 §2.1. The files go at
// once: deleted mail does not linger until a "compact".
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_expunge(Session& s, const Command& cmd) {
  SelectedMailbox& mailbox = *s.selected();
  if (mailbox.read_only()) {
    s.out().tagged(cmd.tag, Reply::no, "READ-ONLY", "The mailbox is read-only");
    co_return;
  }
  std::optional<std::vector<uint32_t>> only;
  if (cmd.uid) {
    auto uids = mailbox.resolve(std::get<UidExpungeArgs>(cmd.args).set, true);
    if (!uids) {
      s.out().tagged(cmd.tag, Reply::bad, "", uids.error().detail);
      co_return;
    }
    only = std::move(*uids);
  }
  auto id = mailbox.id();
  auto expunged = co_await s.blocking([&] {
    return s.account().expunge(
        id, only ? std::optional<std::span<const uint32_t>>(*only) : std::nullopt);
  });
  if (!expunged) {
    answer_error(s.out(), cmd.tag, expunged.error(), "Cannot expunge", s.id());
    co_return;
  }
  std::string lines;
  mailbox.expunge_now(*expunged, lines);
  s.out().append(lines);
  s.out().tagged(cmd.tag, Reply::ok, "", "EXPUNGE completed");
}

}  // namespace courriel::imap
