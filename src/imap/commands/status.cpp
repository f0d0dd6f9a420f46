// STATUS — RFC 9051 §6.3.11 and RFC 3501 §6.3.10, with SIZE (RFC 8438),
// HIGHESTMODSEQ (RFC 7162 §3.1.6) and APPENDLIMIT (RFC 7889 §4). Answered
// from the store for any mailbox, the selected one included (RFC 9051 allows
// it; its counts are then the store's, not the session's view).
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/mailbox_name.h"
#include "imap/session.h"
#include "imap/status_response.h"

namespace courriel::imap {

asio::awaitable<void> cmd_status(Session& s, const Command& cmd) {
  const auto& args = std::get<StatusArgs>(cmd.args);
  auto name = mailbox_from_wire(args.mailbox, s.utf8());
  if (!name) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", name.error().detail);
    co_return;
  }
  const std::string& n = *name;
  auto status = co_await s.blocking([&] { return s.account().status(n); });
  if (!status) {
    answer_error(s.out(), cmd.tag, status.error(),
                 status.code() == Errc::not_found ? "No such mailbox" : "Cannot get the status",
                 s.id());
    co_return;
  }
  std::string line;
  append_status_response(line, n, *status, args.items, s.services().settings.max_message_size,
                         s.utf8());
  s.out().append(line);
  s.out().tagged(cmd.tag, Reply::ok, "", "STATUS completed");
}

}  // namespace courriel::imap
