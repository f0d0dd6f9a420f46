// COPY — RFC 9051 §6.4.7, MOVE — RFC 6851, with COPYUID (RFC 4315 §3).
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/mailbox_name.h"
#include "imap/parser/response_syntax.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_copy(Session& s, const Command& cmd) {
  const auto& args = std::get<CopyArgs>(cmd.args);
  bool move = cmd.name == CommandName::move;
  SelectedMailbox& mailbox = *s.selected();
  auto uids = mailbox.resolve(args.set, cmd.uid);
  if (!uids) {
    s.out().tagged(cmd.tag, Reply::bad, "", uids.error().detail);
    co_return;
  }
  auto dest = mailbox_from_wire(args.mailbox, s.utf8());
  if (!dest) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", dest.error().detail);
    co_return;
  }
  if (move && mailbox.read_only()) {
    s.out().tagged(cmd.tag, Reply::no, "READ-ONLY", "The mailbox is read-only");
    co_return;
  }
  auto from = mailbox.id();
  auto result = co_await s.blocking([&]() -> Result<store::CopyResult> {
    auto to = s.account().lookup(*dest);
    if (!to) return to.error();
    return s.account().copy(from, *uids, *to, move);
  });
  if (!result) {
    // RFC 9051 §6.4.7: a missing destination is answered [TRYCREATE].
    if (result.code() == Errc::not_found) {
      s.out().tagged(cmd.tag, Reply::no, "TRYCREATE", "No such mailbox");
    } else {
      answer_error(s.out(), cmd.tag, result.error(), move ? "Cannot move" : "Cannot copy", s.id());
    }
    co_return;
  }
  std::string copyuid;
  if (!result->source_uids.empty()) {
    copyuid = "COPYUID " + std::to_string(result->uidvalidity) + " ";
    append_sequence_set(copyuid, result->source_uids);
    copyuid += " ";
    append_sequence_set(copyuid, result->dest_uids);
  }
  if (!move) {
    s.out().tagged(cmd.tag, Reply::ok, copyuid, "COPY completed");
    co_return;
  }
  // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
  if (!copyuid.empty()) s.out().untagged("OK [" + copyuid + "] Moved UIDs");
  std::string lines;
  mailbox.expunge_now(result->source_uids, lines);
  s.out().append(lines);
  s.out().tagged(cmd.tag, Reply::ok, "", "MOVE completed");
}

}  // namespace courriel::imap
