// FETCH — RFC 9051 §6.4.5 (RFC 3501 §6.4.5): FLAGS, UID, INTERNALDATE,
// RFC822.SIZE, RFC822, RFC822.HEADER, RFC822.TEXT, BODY[]/BODY.PEEK[] with
// HEADER, HEADER.FIELDS[.NOT] and TEXT at the top level, with partials.
// Message bytes are streamed from the store; MIME structure (ENVELOPE,
// BODYSTRUCTURE, part sections, BINARY) comes with the message parser.
#include <spdlog/spdlog.h>

#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/flags.h"
#include "imap/parser/response_syntax.h"
#include "imap/session.h"
#include "mail/header_section.h"

namespace courriel::imap {
namespace {

constexpr size_t kBatch = 256;                 // messages per index read
constexpr uint64_t kInlineLiteral = 64 * 1024;  // smaller literals are copied, larger streamed
constexpr size_t kHeaderProbe = 256 * 1024;    // bytes read to find the end of the header

bool supported(const FetchAtt& att) {
  switch (att.kind) {
    case FetchAtt::Kind::flags:
    case FetchAtt::Kind::uid:
    case FetchAtt::Kind::internaldate:
    case FetchAtt::Kind::rfc822_size:
    case FetchAtt::Kind::rfc822:
    case FetchAtt::Kind::rfc822_header:
    case FetchAtt::Kind::rfc822_text:
      return true;
    case FetchAtt::Kind::body_section:
      return att.section.part.empty() && att.section.text != Section::Text::mime;
    default:
      return false;
  }
}

bool reads_content(const FetchAtt& att) {
  return att.kind == FetchAtt::Kind::rfc822 || att.kind == FetchAtt::Kind::rfc822_header ||
         att.kind == FetchAtt::Kind::rfc822_text || att.kind == FetchAtt::Kind::body_section;
}

// RFC 9051 §6.4.5: BODY[...] without .PEEK, RFC822 and RFC822.TEXT set \Seen.
bool sets_seen(const FetchAtt& att) {
  return (att.kind == FetchAtt::Kind::body_section && !att.peek) ||
         att.kind == FetchAtt::Kind::rfc822 || att.kind == FetchAtt::Kind::rfc822_text;
}

std::string section_label(const FetchAtt& att) {
  std::string label = "BODY[";
  switch (att.section.text) {
    case Section::Text::none: break;
    case Section::Text::header: label += "HEADER"; break;
    case Section::Text::text: label += "TEXT"; break;
    case Section::Text::mime: label += "MIME"; break;
    case Section::Text::header_fields:
    case Section::Text::header_fields_not:
      label += att.section.text == Section::Text::header_fields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (";
      for (size_t i = 0; i < att.section.fields.size(); ++i)
        label += (i ? " " : "") + att.section.fields[i];
      label += ")";
      break;
  }
  label += "]";
  if (att.partial) label += "<" + std::to_string(att.partial->origin) + ">";
  return label;
}

// One message's bytes, opened on first use, with its header found on demand.
class Content {
 public:
  Content(Session& s, store::MailboxId mailbox, uint32_t uid) : s_(s), mailbox_(mailbox), uid_(uid) {}

  // False when the message is gone (expunged meanwhile) or unreadable.
  asio::awaitable<bool> open() {
    if (file_) co_return true;
    auto file = co_await s_.blocking([&] { return s_.account().open_message(mailbox_, uid_); });
    if (!file) co_return false;
    file_ = std::move(*file);
    co_return true;
  }
  store::MessageFile& file() { return *file_; }
  uint64_t size() const { return file_->size(); }

  // The header block (with its ending blank line) and where the body starts.
  asio::awaitable<bool> load_header() {
    if (header_) co_return true;
    std::string probe(size_t(std::min<uint64_t>(size(), kHeaderProbe)), '\0');
    auto n = co_await s_.blocking([&] { return file_->read(0, probe); });
    if (!n) co_return false;
    probe.resize(*n);
    auto offset = mail::body_offset(probe);
    body_start_ = offset ? *offset : probe.size();
    probe.resize(body_start_);
    header_ = std::move(probe);
    co_return true;
  }
  const std::string& header() const { return *header_; }
  uint64_t body_start() const { return body_start_; }

 private:
  Session& s_;
  store::MailboxId mailbox_;
  uint32_t uid_;
  std::unique_ptr<store::MessageFile> file_;
  std::optional<std::string> header_;
  uint64_t body_start_ = 0;
};

// Writes `label {n}\r\n` and the n bytes of [offset, offset+length) of the
// file, applying the partial <origin.count> first.
asio::awaitable<bool> file_literal(Session& s, Content& content, uint64_t offset, uint64_t length,
                                   const std::optional<Partial>& partial) {
  if (partial) {
    uint64_t skip = std::min<uint64_t>(partial->origin, length);
    offset += skip;
    length = std::min<uint64_t>(length - skip, partial->count);
  }
  s.out().append("{" + std::to_string(length) + "}\r\n");
  if (length <= kInlineLiteral) {
    std::string& out = s.out().buffer();
    size_t at = out.size();
    out.resize(at + length);
    auto n = content.file().read(offset, std::span<char>(out.data() + at, length));
    if (!n || *n != length) co_return false;
    co_return true;
  }
  co_return co_await s.send_file_range(content.file(), offset, length);
}

void string_literal(Session& s, std::string_view bytes, const std::optional<Partial>& partial) {
  if (partial) {
    size_t skip = std::min<size_t>(partial->origin, bytes.size());
    bytes = bytes.substr(skip, partial->count);
  }
  s.out().append("{" + std::to_string(bytes.size()) + "}\r\n");
  s.out().append(bytes);
}

// Appends one fetch item; false when the connection or the message failed mid-way.
asio::awaitable<bool> fetch_item(Session& s, const FetchAtt& att, const store::MessageMeta& meta,
                                 Content& content, const SelectedMailbox& mailbox) {
  ResponseWriter& out = s.out();
  switch (att.kind) {
    case FetchAtt::Kind::uid:
      out.append("UID " + std::to_string(meta.uid));
      co_return true;
    case FetchAtt::Kind::flags: {
      std::string flags = "FLAGS ";
      append_flags(flags, meta.flags, mailbox.recent(meta.uid));
      out.append(flags);
      co_return true;
    }
    case FetchAtt::Kind::internaldate:
      out.append("INTERNALDATE \"" +
                 format_internal_date(meta.internal_date, meta.internal_date_offset) + "\"");
      co_return true;
    case FetchAtt::Kind::rfc822_size:
      out.append("RFC822.SIZE " + std::to_string(meta.size));
      co_return true;
    default: break;
  }
  if (!co_await content.open()) co_return false;
  bool needs_header = att.kind == FetchAtt::Kind::rfc822_header ||
                      att.kind == FetchAtt::Kind::rfc822_text ||
                      (att.kind == FetchAtt::Kind::body_section &&
                       att.section.text != Section::Text::none);
  if (needs_header && !co_await content.load_header()) co_return false;
  switch (att.kind) {
    case FetchAtt::Kind::rfc822:
      out.append("RFC822 ");
      co_return co_await file_literal(s, content, 0, content.size(), std::nullopt);
    case FetchAtt::Kind::rfc822_header:
      out.append("RFC822.HEADER ");
      string_literal(s, content.header(), std::nullopt);
      co_return true;
    case FetchAtt::Kind::rfc822_text:
      out.append("RFC822.TEXT ");
      co_return co_await file_literal(s, content, content.body_start(),
                                      content.size() - content.body_start(), std::nullopt);
    default: break;
  }
  out.append(section_label(att) + " ");
  switch (att.section.text) {
    case Section::Text::none:
      co_return co_await file_literal(s, content, 0, content.size(), att.partial);
    case Section::Text::header:
      string_literal(s, content.header(), att.partial);
      co_return true;
    case Section::Text::text:
      co_return co_await file_literal(s, content, content.body_start(),
                                      content.size() - content.body_start(), att.partial);
    case Section::Text::header_fields:
    case Section::Text::header_fields_not:
      string_literal(s,
                     mail::header_fields(content.header(), att.section.fields,
                                         att.section.text == Section::Text::header_fields_not),
                     att.partial);
      co_return true;
    case Section::Text::mime: break;
  }
  co_return false;
}

}  // namespace

asio::awaitable<void> cmd_fetch(Session& s, const Command& cmd) {
  const auto& args = std::get<FetchArgs>(cmd.args);
  SelectedMailbox& mailbox = *s.selected();
  for (const auto& att : args.atts) {
    if (!supported(att)) {
      s.out().tagged(cmd.tag, Reply::bad, "", "This FETCH item is not implemented yet");
      co_return;
    }
  }
  if (args.changed_since) {
    s.out().tagged(cmd.tag, Reply::bad, "", "CHANGEDSINCE is not implemented yet");
    co_return;
  }
  auto uids = mailbox.resolve(args.set, cmd.uid);
  if (!uids) {
    s.out().tagged(cmd.tag, Reply::bad, "", uids.error().detail);
    co_return;
  }
  // RFC 9051 §6.4.9: UID FETCH always returns UID, first here.
  std::vector<FetchAtt> atts;
  if (cmd.uid) atts.push_back(FetchAtt{.kind = FetchAtt::Kind::uid});
  bool wants_flags = false, marks_seen = false, needs_content = false;
  for (const auto& att : args.atts) {
    needs_content = needs_content || reads_content(att);
    if (cmd.uid && att.kind == FetchAtt::Kind::uid) continue;
    wants_flags = wants_flags || att.kind == FetchAtt::Kind::flags;
    marks_seen = marks_seen || (sets_seen(att) && !mailbox.read_only());
    atts.push_back(att);
  }

  auto id = mailbox.id();
  for (size_t first = 0; first < uids->size(); first += kBatch) {
    std::span<const uint32_t> batch(uids->data() + first, std::min(kBatch, uids->size() - first));
    auto metas = co_await s.blocking([&] { return s.account().messages(id, batch); });
    if (!metas) {
      answer_error(s.out(), cmd.tag, metas.error(), "Cannot read the mailbox", s.id());
      co_return;
    }
    std::vector<uint32_t> seen_now;
    if (marks_seen) {
      std::vector<uint32_t> unseen;
      for (const auto& m : *metas)
        if (!(m.flags.system & store::kSeen)) unseen.push_back(m.uid);
      if (!unseen.empty()) {
        store::Flags seen{store::kSeen, {}};
        auto changed = co_await s.blocking([&] {
          return s.account().store(id, unseen, store::FlagOp::add, seen, std::nullopt, nullptr);
        });
        if (changed) {
          for (const auto& c : *changed) {
            mailbox.reported(c);
            seen_now.push_back(c.uid);
            for (auto& m : *metas)
              if (m.uid == c.uid) m = c;
          }
        }
      }
    }
    for (const auto& meta : *metas) {
      uint32_t seq = mailbox.seq_of(meta.uid);
      if (seq == 0) continue;
      Content content(s, id, meta.uid);
      // Opened before the response starts: a message another session expunged
      // meanwhile is left out (RFC 2180 §4.1.2); an open file stays readable.
      if (needs_content && !co_await content.open()) continue;
      s.out().append("* " + std::to_string(seq) + " FETCH (");
      bool first_item = true;
      for (const auto& att : atts) {
        if (!first_item) s.out().append(" ");
        first_item = false;
        if (!co_await fetch_item(s, att, meta, content, mailbox)) {
          // Half a response cannot be taken back: end the session cleanly.
          spdlog::error("imap sid={:x} fetch of uid {} failed mid-response", s.id(), meta.uid);
          s.set_state(SessionState::logout);
          co_return;
        }
      }
      // RFC 9051 §6.4.5: flags that \Seen changed are reported with the data.
      if (!wants_flags && std::binary_search(seen_now.begin(), seen_now.end(), meta.uid)) {
        std::string flags = " FLAGS ";
        append_flags(flags, meta.flags, mailbox.recent(meta.uid));
        s.out().append(flags);
      }
      s.out().append(")\r\n");
      if (s.out().size() >= s.services().settings.output_high_water && !co_await s.flush()) {
        s.set_state(SessionState::logout);
        co_return;
      }
    }
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "FETCH completed");
}

}  // namespace courriel::imap
