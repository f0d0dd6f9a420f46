// SELECT and EXAMINE — RFC 9051 §6.3.2-3, RFC 3501 §6.3.1-2.
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/flags.h"
#include "imap/mailbox_name.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_select(Session& s, const Command& cmd) {
  const auto& args = std::get<SelectArgs>(cmd.args);
  bool examine = cmd.name == CommandName::examine;
  // RFC 7162 §3.2.11 / RFC 9051 §6.3.2: leaving a selected mailbox is announced.
  if (s.selected()) {
    s.select(nullptr);
    s.out().untagged("OK [CLOSED] Previous mailbox closed");
  }
  auto name = mailbox_from_wire(args.mailbox, s.utf8());
  if (!name) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", name.error().detail);
    co_return;
  }
  auto snapshot = co_await s.from_index(
      [&]() -> std::optional<Result<store::MailboxSnapshot>> {
        auto id = s.account().lookup(*name);
        if (!id) return std::nullopt;
        return s.account().snapshot_from_index(*id, !examine);
      },
      [&]() -> Result<store::MailboxSnapshot> {
        auto id = s.account().lookup(*name);
        if (!id) return id.error();
        return s.account().snapshot(*id, !examine);
      });
  if (!snapshot) {
    answer_error(s.out(), cmd.tag, snapshot.error(),
                 snapshot.code() == Errc::not_found ? "No such mailbox" : "Cannot open mailbox",
                 s.id());
    co_return;
  }
  auto view = std::make_unique<SelectedMailbox>(*name, std::move(*snapshot), examine);
  const auto& keywords = view->keywords();
  s.out().untagged(flags_response(keywords));
  s.out().untagged(examine ? "OK [PERMANENTFLAGS ()] No permanent flags permitted"
                           : "OK [" + permanent_flags_code(keywords) + "] Flags permitted");
  s.out().untagged(std::to_string(view->exists()) + " EXISTS");
  s.out().untagged(std::to_string(view->recent_count()) + " RECENT");
  if (uint32_t unseen = view->first_unseen(); unseen != 0)
    s.out().untagged("OK [UNSEEN " + std::to_string(unseen) + "] First unseen");
  s.out().untagged("OK [UIDVALIDITY " + std::to_string(view->uidvalidity()) + "] UIDs valid");
  s.out().untagged("OK [UIDNEXT " + std::to_string(view->uidnext_seen()) + "] Predicted next UID");
  s.select(std::move(view));
  s.out().tagged(cmd.tag, Reply::ok, examine ? "READ-ONLY" : "READ-WRITE",
                 examine ? "EXAMINE completed" : "SELECT completed");
}

}  // namespace courriel::imap
