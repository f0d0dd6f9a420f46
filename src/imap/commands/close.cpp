// CLOSE and UNSELECT — RFC 9051 §6.4.1 and §6.4.2 (RFC 3691).
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_close(Session& s, const Command& cmd) {
  SelectedMailbox* mailbox = s.selected();
  // CLOSE silently expunges (no EXPUNGE responses) unless the mailbox is read-only.
  if (cmd.name == CommandName::close && !mailbox->read_only()) {
    auto id = mailbox->id();
    auto expunged = co_await s.blocking([&] { return s.account().expunge(id, std::nullopt); });
    if (!expunged && expunged.code() != Errc::not_found) {
      answer_error(s.out(), cmd.tag, expunged.error(), "Cannot expunge", s.id());
      co_return;
    }
  }
  s.select(nullptr);
  s.out().tagged(cmd.tag, Reply::ok, "",
                 cmd.name == CommandName::close ? "CLOSE completed" : "UNSELECT completed");
}

}  // namespace courriel::imap
