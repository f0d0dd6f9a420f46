// APPEND — RFC 9051 §6.3.12, MULTIAPPEND (RFC 3502), APPENDUID (RFC 4315 §3).
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/flags.h"
#include "imap/mailbox_name.h"
#include "imap/parser/response_syntax.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_append(Session& s, const Command& cmd) {
  const auto& args = std::get<AppendArgs>(cmd.args);
  auto name = mailbox_from_wire(args.mailbox, s.utf8());
  if (!name) {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", name.error().detail);
    co_return;
  }
  // Flags and sizes are checked before the store is touched.
  std::vector<store::NewMessage> messages;
  std::vector<const std::string*> kept;  // bytes of literals the reader kept, by message
  for (const auto& m : args.messages) {
    auto flags = flags_from_wire(m.flags);
    if (!flags) {
      s.out().tagged(cmd.tag, Reply::bad, "", flags.error().detail);
      co_return;
    }
    std::unique_ptr<store::IncomingMessage> body = s.take_streamed_literal(m);
    if ((body ? body->size() : m.data.size()) == 0) {
      s.out().tagged(cmd.tag, Reply::no, "CANNOT", "Cannot append an empty message");
      co_return;
    }
    kept.push_back(body ? nullptr : &m.data);
    store::NewMessage message{std::move(body), std::move(*flags), std::nullopt, 0};
    if (m.internal_date) {
      message.internal_date = m.internal_date->epoch;
      message.internal_date_offset = m.internal_date->offset_minutes;
    }
    messages.push_back(std::move(message));
  }
  // One trip to the blocking pool for the whole command: small messages the
  // reader kept in memory are written, and all are appended, there.
  auto appended = co_await s.blocking([&]() -> Result<store::AppendResult> {
    auto id = s.account().lookup(*name);
    if (!id) return id.error();
    for (size_t i = 0; i < messages.size(); ++i) {
      if (!kept[i]) continue;
      auto created = s.account().begin_message();
      if (!created) return created.error();
      if (Status w = (*created)->write(*kept[i]); !w) return w.error();
      messages[i].body = std::move(*created);
    }
    return s.account().append(*id, std::move(messages));
  });
  if (!appended) {
    if (appended.code() == Errc::not_found) {
      s.out().tagged(cmd.tag, Reply::no, "TRYCREATE", "No such mailbox");
    } else {
      answer_error(s.out(), cmd.tag, appended.error(), "Cannot append", s.id());
    }
    co_return;
  }
  std::string code = "APPENDUID " + std::to_string(appended->uidvalidity) + " ";
  append_sequence_set(code, appended->uids);
  s.out().tagged(cmd.tag, Reply::ok, code, "APPEND completed");
}

}  // namespace courriel::imap
