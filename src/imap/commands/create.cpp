// CREATE — RFC 9051 §6.3.4, with RFC 6154 §3 CREATE-SPECIAL-USE ("USE (\Sent)").
//
// A trailing hierarchy separator only declares that the client means to
// create children ("foo/" creates "foo"); missing parents are created too (the
// store does it). INBOX always exists. \All and \Flagged name virtual
// mailboxes (every message, every flagged message) that Courriel does not
// have: asking for them is refused with USEATTR rather than marking an
// ordinary mailbox in a way clients would misread.
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/list_select.h"
#include "imap/mailbox_name.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_create(Session& s, const Command& cmd) {
  const auto& args = std::get<CreateArgs>(cmd.args);
  auto name = mailbox_from_wire(args.mailbox, s.utf8());
  if (!name) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", name.error().detail);
    co_return;
  }
  if (name->size() > 1 && name->back() == kHierarchySeparator) name->pop_back();
  if (*name == "INBOX") {
    s.out().tagged(cmd.tag, Reply::no, "ALREADYEXISTS", "INBOX always exists");
    co_return;
  }
  uint8_t special_use = 0;
  for (const std::string& attr : args.special_use) {
    uint8_t bit = special_use_bit(attr);
    if (bit == 0 || bit == store::kAll || bit == store::kFlaggedUse) {
      s.out().tagged(cmd.tag, Reply::no, "USEATTR", attr + " is not supported");
      co_return;
    }
    special_use |= bit;
  }
  const std::string& n = *name;
  auto created = co_await s.blocking([&] { return s.account().create(n, special_use); });
  if (!created) {
    std::string_view text = "Cannot create the mailbox";
    if (created.code() == Errc::already_exists) text = "The mailbox already exists";
    if (created.code() == Errc::invalid)
      text =
          "Invalid mailbox name (no empty levels, \".\" or \"..\" levels, control characters, "
          "'%' or '*'; at most 400 bytes)";
    answer_error(s.out(), cmd.tag, created.error(), text, s.id());
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "CREATE completed");
}

}  // namespace courriel::imap
