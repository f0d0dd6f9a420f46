// STORE — RFC 9051 §6.4.6, with UNCHANGEDSINCE (RFC 7162 §3.1.3).
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/flags.h"
#include "imap/parser/response_syntax.h"
#include "imap/session.h"

namespace courriel::imap {
namespace {

store::FlagOp to_store(StoreArgs::Op op) {
  switch (op) {
    case StoreArgs::Op::replace: return store::FlagOp::replace;
    case StoreArgs::Op::add: return store::FlagOp::add;
    case StoreArgs::Op::remove: return store::FlagOp::remove;
  }
  return store::FlagOp::replace;
}

}  // namespace

// "* <seq> FETCH (FLAGS (...) [UID <uid>])": the answer to STORE and to the
// \Seen that BODY[] sets.
void append_flags_fetch(std::string& out, const SelectedMailbox& mailbox,
                        const store::MessageMeta& meta, bool with_uid) {
  out += "* " + std::to_string(mailbox.seq_of(meta.uid)) + " FETCH (FLAGS ";
  append_flags(out, meta.flags, mailbox.recent(meta.uid));
  if (with_uid) out += " UID " + std::to_string(meta.uid);
  out += ")\r\n";
}

asio::awaitable<void> cmd_store(Session& s, const Command& cmd) {
  const auto& args = std::get<StoreArgs>(cmd.args);
  SelectedMailbox& mailbox = *s.selected();
  auto uids = mailbox.resolve(args.set, cmd.uid);
  if (!uids) {
    s.out().tagged(cmd.tag, Reply::bad, "", uids.error().detail);
    co_return;
  }
  auto flags = flags_from_wire(args.flags);
  if (!flags) {
    s.out().tagged(cmd.tag, Reply::bad, "", flags.error().detail);
    co_return;
  }
  if (mailbox.read_only()) {
    s.out().tagged(cmd.tag, Reply::no, "READ-ONLY", "The mailbox is read-only");
    co_return;
  }
  auto id = mailbox.id();
  std::vector<uint32_t> failed;
  auto changed = co_await s.blocking([&] {
    return s.account().store(id, *uids, to_store(args.op), *flags, args.unchanged_since, &failed);
  });
  if (!changed) {
    answer_error(s.out(), cmd.tag, changed.error(), "Cannot store flags", s.id());
    co_return;
  }
  std::string lines;
  for (const auto& meta : *changed) {
    mailbox.learn_keywords(meta.flags, lines);
    mailbox.reported(meta);
  }
  if (!args.silent) {
    // Every message named gets its flags back, changed or not (RFC 9051 §6.4.6).
    std::vector<uint32_t> unchanged;
    size_t c = 0;
    for (uint32_t uid : *uids) {
      while (c < changed->size() && (*changed)[c].uid < uid) ++c;
      bool was_changed = c < changed->size() && (*changed)[c].uid == uid;
      bool refused = std::binary_search(failed.begin(), failed.end(), uid);
      if (!was_changed && !refused) unchanged.push_back(uid);
    }
    std::vector<store::MessageMeta> rest;
    if (!unchanged.empty()) {
      auto metas = co_await s.blocking([&] { return s.account().messages(id, unchanged); });
      if (metas) rest = std::move(*metas);
    }
    std::vector<store::MessageMeta> all = std::move(*changed);
    all.insert(all.end(), rest.begin(), rest.end());
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.uid < b.uid; });
    for (const auto& meta : all) append_flags_fetch(lines, mailbox, meta, cmd.uid);
  }
  s.out().append(lines);
  if (!failed.empty()) {
    // RFC 7162 §3.1.3: the messages UNCHANGEDSINCE protected.
    std::string set;
    if (cmd.uid) {
      append_sequence_set(set, failed);
    } else {
      std::vector<uint32_t> seqs;
      for (uint32_t uid : failed) seqs.push_back(mailbox.seq_of(uid));
      append_sequence_set(set, seqs);
    }
    s.out().tagged(cmd.tag, Reply::ok, "MODIFIED " + set, "Conditional STORE failed");
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "STORE completed");
}

}  // namespace courriel::imap
