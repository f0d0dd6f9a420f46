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
  std::vector<store::NewMessage> messages;
  for (const auto& m : args.messages) {
    auto flags = flags_from_wire(m.flags);
    if (!flags) {
      s.out().tagged(cmd.tag, Reply::bad, "", flags.error().detail);
      co_return;
    }
    std::unique_ptr<store::IncomingMessage> body = s.take_streamed_literal(m);
    if (!body) {
      auto incoming = co_await s.blocking([&]() -> Result<std::unique_ptr<store::IncomingMessage>> {
        auto created = s.account().begin_message();
        if (!created) return created.error();
        if (Status w = (*created)->write(m.data); !w) return w.error();
        return created;
      });
      if (!incoming) {
        answer_error(s.out(), cmd.tag, incoming.error(), "Cannot store the message", s.id());
        co_return;
      }
      body = std::move(*incoming);
    }
    if (body->size() == 0) {
      s.out().tagged(cmd.tag, Reply::no, "CANNOT", "Cannot append an empty message");
      co_return;
    }
    store::NewMessage message{std::move(body), std::move(*flags), std::nullopt, 0};
    if (m.internal_date) {
      message.internal_date = m.internal_date->epoch;
      message.internal_date_offset = m.internal_date->offset_minutes;
    }
    messages.push_back(std::move(message));
  }
  auto appended = co_await s.blocking([&]() -> Result<store::AppendResult> {
    auto id = s.account().lookup(*name);
    if (!id) return id.error();
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
