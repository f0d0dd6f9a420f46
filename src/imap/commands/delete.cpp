// DELETE — RFC 9051 §6.3.5.
//
// INBOX cannot be deleted. A mailbox with children is deleted like any other:
// its messages go, its children stay, and its name remains as an implicit
// parent that LIST shows as \Noselect (\NonExistent) with \HasChildren, which
// RFC 9051 §6.3.5 allows; deleting such a name again is NONEXISTENT.
// The name's subscription is the store's business (if kept, LIST (SUBSCRIBED)
// shows it \Subscribed \NonExistent, as in RFC 5258 §5). Deleting the
// selected mailbox is allowed; the session's sync after the command tells the
// client.
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/mailbox_name.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_delete(Session& s, const Command& cmd) {
  const auto& args = std::get<MailboxArgs>(cmd.args);
  auto name = mailbox_from_wire(args.mailbox, s.utf8());
  if (!name) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", name.error().detail);
    co_return;
  }
  if (*name == "INBOX") {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", "INBOX cannot be deleted");
    co_return;
  }
  const std::string& n = *name;
  Status removed = co_await s.blocking([&] { return s.account().remove(n); });
  if (!removed) {
    std::string_view text = "Cannot delete the mailbox";
    if (removed.code() == Errc::not_found) text = "No such mailbox";
    answer_error(s.out(), cmd.tag, removed.error(), text, s.id());
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "DELETE completed");
}

}  // namespace courriel::imap
