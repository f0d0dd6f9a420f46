// RENAME — RFC 9051 §6.3.6.
//
// Children are renamed with their parent and missing parents of the new name
// are created (the store does both). Renaming INBOX moves its messages into a
// new mailbox and leaves INBOX empty, its children untouched. Renaming onto
// INBOX, or a mailbox into its own subtree, is refused. Subscriptions are not
// changed (RFC 9051 §6.3.6).
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/mailbox_name.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_rename(Session& s, const Command& cmd) {
  const auto& args = std::get<RenameArgs>(cmd.args);
  auto from = mailbox_from_wire(args.from, s.utf8());
  if (!from) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", from.error().detail);
    co_return;
  }
  auto to = mailbox_from_wire(args.to, s.utf8());
  if (!to) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", to.error().detail);
    co_return;
  }
  if (to->size() > 1 && to->back() == kHierarchySeparator) to->pop_back();
  if (*to == "INBOX") {
    s.out().tagged(cmd.tag, Reply::no, "ALREADYEXISTS", "INBOX always exists");
    co_return;
  }
  if (*from != "INBOX" && to->starts_with(*from + kHierarchySeparator)) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", "Cannot move a mailbox into itself");
    co_return;
  }
  const std::string& f = *from;
  const std::string& t = *to;
  Status renamed = co_await s.blocking([&] { return s.account().rename(f, t); });
  if (!renamed) {
    std::string_view text = "Cannot rename the mailbox";
    switch (renamed.code()) {
      case Errc::not_found:
        text = "No such mailbox";
        break;
      case Errc::already_exists:
        text = "The new name is taken";
        break;
      case Errc::invalid:
        text = "Invalid mailbox name";
        break;
      default:
        break;
    }
    answer_error(s.out(), cmd.tag, renamed.error(), text, s.id());
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "RENAME completed");
}

}  // namespace courriel::imap
