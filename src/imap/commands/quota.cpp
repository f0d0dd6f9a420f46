// GETQUOTA, GETQUOTAROOT, SETQUOTA — RFC 9208 (obsoletes RFC 2087).
//
// One quota root per account, named "": every mailbox of the user belongs to
// it. Resources: STORAGE (in units of 1024 octets: usage rounded up, the limit
// rounded down) and MESSAGE. A resource without a limit is left out of the
// QUOTA response (the grammar has no way to say "unlimited"). Limits are set
// by the administrator with `courriel quota set`; RFC 9208 §4.1.3 reserves
// SETQUOTA to administrators and Courriel has no IMAP administrators yet, so
// SETQUOTA is answered NO [NOPERM] and QUOTASET is not advertised. APPEND,
// COPY (and MULTIAPPEND) over a limit fail with NO [OVERQUOTA] (error_codes.h).
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/mailbox_name.h"
#include "imap/parser/response_syntax.h"
#include "imap/session.h"

namespace courriel::imap {
namespace {

// "QUOTA \"\" (STORAGE u l MESSAGE u l)" without the "* " and CRLF.
std::string quota_line(const store::Account::Quota& q) {
  std::string line = "QUOTA \"\" (";
  bool first = true;
  if (q.storage_limit) {
    line += "STORAGE " + std::to_string((q.storage_used + 1023) / 1024) + " " +
            std::to_string(q.storage_limit / 1024);
    first = false;
  }
  if (q.messages_limit) {
    if (!first) line += " ";
    line += "MESSAGE " + std::to_string(q.messages_used) + " " + std::to_string(q.messages_limit);
  }
  line += ")";
  return line;
}

}  // namespace

asio::awaitable<void> cmd_getquota(Session& s, const Command& cmd) {
  const auto& args = std::get<QuotaRootArgs>(cmd.args);
  if (!args.root.empty()) {
    s.out().tagged(cmd.tag, Reply::no, "NONEXISTENT", "No such quota root");
    co_return;
  }
  auto q = co_await s.blocking([&] { return s.account().quota(); });
  if (!q) {
    answer_error(s.out(), cmd.tag, q.error(), "Cannot get the quota", s.id());
    co_return;
  }
  s.out().untagged(quota_line(*q));
  s.out().tagged(cmd.tag, Reply::ok, "", "GETQUOTA completed");
}

asio::awaitable<void> cmd_getquotaroot(Session& s, const Command& cmd) {
  const auto& args = std::get<MailboxArgs>(cmd.args);
  auto name = mailbox_from_wire(args.mailbox, s.utf8());
  if (!name) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", name.error().detail);
    co_return;
  }
  const std::string& n = *name;
  auto q = co_await s.blocking([&]() -> Result<store::Account::Quota> {
    auto id = s.account().lookup(n);
    if (!id) return id.error();
    return s.account().quota();
  });
  if (!q) {
    answer_error(s.out(), cmd.tag, q.error(),
                 q.code() == Errc::not_found ? "No such mailbox" : "Cannot get the quota", s.id());
    co_return;
  }
  std::string line = "QUOTAROOT ";
  append_mailbox(line, n, s.utf8());
  line += " \"\"";
  s.out().untagged(line);
  s.out().untagged(quota_line(*q));
  s.out().tagged(cmd.tag, Reply::ok, "", "GETQUOTAROOT completed");
}

asio::awaitable<void> cmd_setquota(Session& s, const Command& cmd) {
  s.out().tagged(cmd.tag, Reply::no, "NOPERM",
                 "Quota limits are set by the administrator (courriel quota set)");
  co_return;
}

}  // namespace courriel::imap
