// LIST — RFC 9051 §6.3.9 and RFC 3501 §6.3.8, with RFC 5258 LIST-EXTENDED
// (selection options SUBSCRIBED, REMOTE, RECURSIVEMATCH; return options
// SUBSCRIBED, CHILDREN), RFC 6154 SPECIAL-USE (selection and return option),
// RFC 5819 LIST-STATUS (RETURN (STATUS (...))); and LSUB (RFC 3501 §6.3.9).
//
// Which names are listed with which attributes is decided by the pure
// list_select() (list_select.h, where the choices are documented); this file
// decodes the patterns, asks the store, and adds the STATUS responses.
//
// Patterns are decoded from modified UTF-7 like names (rev1); a pattern that
// is not valid modified UTF-7 is matched as it is, so it matches nothing the
// store holds rather than failing the command. REMOTE selects nothing more:
// there are no remote mailboxes.
#include <optional>
#include <vector>

#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/list_match.h"
#include "imap/list_select.h"
#include "imap/mailbox_name.h"
#include "base/mutf7.h"
#include "imap/session.h"
#include "imap/status_response.h"

namespace courriel::imap {
namespace {

// A pattern from the wire as UTF-8, the reference joined to it.
std::string decode_pattern(std::string_view reference, std::string_view pattern, bool utf8) {
  std::string joined = list_canonical_pattern(reference, pattern, kHierarchySeparator);
  if (utf8) return joined;
  if (auto decoded = mutf7_decode(joined)) return std::move(*decoded);
  return joined;
}

asio::awaitable<void> list_or_lsub(Session& s, const Command& cmd, bool lsub) {
  const auto& args = std::get<ListArgs>(cmd.args);
  const char* done = lsub ? "LSUB completed" : "LIST completed";

  ListQuery q;
  q.lsub = lsub;
  q.extended = args.extended;
  q.select_subscribed = args.select_subscribed;
  q.select_special_use = args.select_special_use;
  q.recursive_match = args.select_recursive_match;
  q.return_subscribed = args.return_subscribed;
  bool empty_pattern = false;
  for (const std::string& p : args.patterns) {
    if (p.empty()) {
      empty_pattern = true;
    } else {
      q.patterns.push_back(decode_pattern(args.reference, p, s.utf8()));
    }
  }
  // RFC 3501 §6.3.8: an empty pattern asks for the hierarchy separator and
  // the root name, which is "" here (no namespace prefixes).
  if (empty_pattern && !lsub && q.patterns.empty()) {
    s.out().untagged("LIST (\\Noselect) \"/\" \"\"");
    s.out().tagged(cmd.tag, Reply::ok, "", done);
    co_return;
  }
  if (q.patterns.empty()) {
    s.out().tagged(cmd.tag, Reply::ok, "", done);
    co_return;
  }

  store::Account& account = s.account();
  auto mailboxes = co_await s.blocking([&] { return account.list(); });
  if (!mailboxes) {
    answer_error(s.out(), cmd.tag, mailboxes.error(), "Cannot list the mailboxes", s.id());
    co_return;
  }
  std::vector<ListItem> items = list_select(*mailboxes, q, kHierarchySeparator);

  // RFC 5819: the STATUS of each listed selectable mailbox, right after its
  // LIST. A mailbox that vanishes meanwhile simply gets no STATUS (§2).
  std::vector<std::optional<store::MailboxStatus>> statuses;
  if (args.return_status && !lsub) {
    statuses.resize(items.size());
    co_await s.blocking([&] {
      for (size_t i = 0; i < items.size(); ++i) {
        if (!items[i].exists) continue;
        if (auto st = account.status(items[i].name)) statuses[i] = std::move(*st);
      }
      return 0;
    });
  }
  const uint64_t append_limit = s.services().settings.max_message_size;
  std::string lines;
  for (size_t i = 0; i < items.size(); ++i) {
    lines.clear();
    append_list_response(lines, items[i], q, kHierarchySeparator, s.utf8());
    if (i < statuses.size() && statuses[i])
      append_status_response(lines, items[i].name, *statuses[i], *args.return_status, append_limit,
                             s.utf8());
    s.out().append(lines);
  }
  s.out().tagged(cmd.tag, Reply::ok, "", done);
}

}  // namespace

asio::awaitable<void> cmd_list(Session& s, const Command& cmd) {
  co_await list_or_lsub(s, cmd, false);
}

asio::awaitable<void> cmd_lsub(Session& s, const Command& cmd) {
  co_await list_or_lsub(s, cmd, true);
}

}  // namespace courriel::imap
