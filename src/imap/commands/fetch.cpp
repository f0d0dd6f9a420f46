// FETCH — RFC 9051 §6.4.5 (RFC 3501 §6.4.5), every item: FLAGS, UID,
// INTERNALDATE, RFC822.SIZE, RFC822[.HEADER|.TEXT], ENVELOPE, BODY,
// BODYSTRUCTURE, BODY[section]<partial> and BODY.PEEK for every section form,
// and BINARY[.PEEK|.SIZE] (RFC 3516). ENVELOPE, BODYSTRUCTURE and header
// fields come from the index cache (no file is opened for Thunderbird's header
// sync); message bytes are streamed from the store.
#include <spdlog/spdlog.h>

#include <charconv>

#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/flags.h"
#include "imap/message_format.h"
#include "imap/parser/response_syntax.h"
#include "imap/session.h"
#include "mail/cache.h"
#include "mail/decode.h"
#include "mail/header_section.h"

namespace courriel::imap {
namespace {

using Kind = FetchAtt::Kind;
using Text = Section::Text;

constexpr size_t kBatch = 256;                  // messages per index read
constexpr uint64_t kInlineLiteral = 64 * 1024;  // smaller literals are copied, larger streamed
constexpr size_t kHeaderProbe = 256 * 1024;     // bytes read to find the end of the header

// RFC 9051 §6.4.5: BODY[...] without .PEEK, BINARY[...] without .PEEK, RFC822
// and RFC822.TEXT set \Seen.
bool sets_seen(const FetchAtt& att) {
  return ((att.kind == Kind::body_section || att.kind == Kind::binary) && !att.peek) ||
         att.kind == Kind::rfc822 || att.kind == Kind::rfc822_text;
}

bool is_header_only(const FetchAtt& att) {
  return att.kind == Kind::rfc822_header ||
         (att.kind == Kind::body_section && att.section.part.empty() &&
          (att.section.text == Text::header || att.section.text == Text::header_fields ||
           att.section.text == Text::header_fields_not));
}

// ENVELOPE, BODY and BODYSTRUCTURE: answered from the cache's extras (see
// message_format.h cache_extras) when the session is not in UTF-8 mode.
std::optional<char> cached_tag(const FetchAtt& att) {
  switch (att.kind) {
    case Kind::envelope: return kCachedEnvelope;
    case Kind::body: return kCachedBody;
    case Kind::bodystructure: return kCachedBodyStructure;
    default: return std::nullopt;
  }
}

bool needs_structure(const FetchAtt& att) {
  return att.kind == Kind::envelope || att.kind == Kind::body || att.kind == Kind::bodystructure ||
         ((att.kind == Kind::body_section || att.kind == Kind::binary ||
           att.kind == Kind::binary_size) &&
          !att.section.part.empty());
}

// Whether the item reads message bytes whatever the cache holds.
bool always_reads_file(const FetchAtt& att) {
  switch (att.kind) {
    case Kind::rfc822:
    case Kind::rfc822_text:
    case Kind::binary:
    case Kind::binary_size:
      return true;
    case Kind::body_section:
      return !is_header_only(att);
    default:
      return false;
  }
}

std::string section_label(std::string_view name, const FetchAtt& att, bool with_origin) {
  std::string label(name);
  label += '[';
  for (size_t i = 0; i < att.section.part.size(); ++i)
    label += (i ? "." : "") + std::to_string(att.section.part[i]);
  if (att.section.text != Text::none && !att.section.part.empty()) label += '.';
  switch (att.section.text) {
    case Text::none: break;
    case Text::header: label += "HEADER"; break;
    case Text::text: label += "TEXT"; break;
    case Text::mime: label += "MIME"; break;
    case Text::header_fields:
    case Text::header_fields_not:
      label += att.section.text == Text::header_fields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (";
      for (size_t i = 0; i < att.section.fields.size(); ++i)
        label += (i ? " " : "") + att.section.fields[i];
      label += ')';
      break;
  }
  label += ']';
  if (with_origin && att.partial) label += "<" + std::to_string(att.partial->origin) + ">";
  return label;
}

// One message: its cache entry, and its file opened when needed.
class Content {
 public:
  // `blob` is the message's index cache entry ("" if none); it must outlive this.
  Content(Session& s, store::MailboxId mailbox, uint32_t uid, std::string_view blob)
      : s_(s), mailbox_(mailbox), uid_(uid), cache_(mail::view_cache(blob)) {}

  bool has_header() const { return cache_ && cache_->header_complete; }
  bool has_cache() const { return cache_.has_value(); }
  // A cached ENVELOPE/BODY/BODYSTRUCTURE answer (cached_tag); it must outlive this.
  void add_answer(char tag, std::string_view text) { answers_.emplace_back(tag, text); }
  std::optional<std::string_view> answer(char tag) const {
    for (const auto& [t, text] : answers_)
      if (t == tag) return text;
    return std::nullopt;
  }

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

  // Reads [offset, offset+length) of the file, clamped to its size.
  asio::awaitable<std::optional<std::string>> read(uint64_t offset, uint64_t length) {
    offset = std::min(offset, size());
    length = std::min(length, size() - offset);
    std::string bytes(size_t(length), '\0');
    auto n = co_await s_.blocking([&] { return file_->read(offset, bytes); });
    if (!n) co_return std::nullopt;
    bytes.resize(*n);
    co_return bytes;
  }

  // The header block (with its ending empty line): from the cache, else the file.
  asio::awaitable<std::optional<std::string_view>> header() {
    // The cached common fields, when every header item of the FETCH asks only those.
    if (auto fields = answer(kCachedHeaderFields)) co_return *fields;
    if (has_header()) co_return cache_->header;
    if (!probed_header_) {
      if (!co_await open()) co_return std::nullopt;
      auto probe = co_await read(0, kHeaderProbe);
      if (!probe) co_return std::nullopt;
      probed_header_ = std::move(*probe);
      probed_header_->resize(mail::body_offset(*probed_header_).value_or(probed_header_->size()));
    }
    co_return std::string_view(*probed_header_);
  }

  // The parsed structure: decoded from the cache on first use, else parsed
  // from the whole file.
  asio::awaitable<const mail::ParsedMessage*> parsed() {
    if (!parsed_ && cache_) parsed_ = cache_->parse();
    if (!parsed_) {
      if (!co_await open()) co_return nullptr;
      auto whole = co_await read(0, size());
      if (!whole) co_return nullptr;
      parsed_ = co_await s_.blocking([&] { return mail::parse_message(*whole); });
    }
    co_return &*parsed_;
  }

 private:
  Session& s_;
  store::MailboxId mailbox_;
  uint32_t uid_;
  std::optional<mail::CacheView> cache_;
  std::vector<std::pair<char, std::string_view>> answers_;
  std::unique_ptr<store::MessageFile> file_;
  std::optional<std::string> probed_header_;
  std::optional<mail::ParsedMessage> parsed_;
};

std::pair<uint64_t, uint64_t> apply_partial(uint64_t offset, uint64_t length,
                                            const std::optional<Partial>& partial) {
  if (!partial) return {offset, length};
  uint64_t skip = std::min<uint64_t>(partial->origin, length);
  return {offset + skip, std::min<uint64_t>(length - skip, partial->count)};
}

// "{n}\r\n" and the n bytes of [offset, offset+length) of the file, after the partial.
asio::awaitable<bool> file_literal(Session& s, Content& content, uint64_t offset, uint64_t length,
                                   const std::optional<Partial>& partial) {
  offset = std::min(offset, content.size());
  length = std::min(length, content.size() - offset);
  std::tie(offset, length) = apply_partial(offset, length, partial);
  s.out().append("{" + std::to_string(length) + "}\r\n");
  if (length <= kInlineLiteral) {
    std::string& out = s.out().buffer();
    size_t at = out.size();
    out.resize(at + length);
    auto n = content.file().read(offset, std::span<char>(out.data() + at, length));
    co_return n && *n == length;
  }
  co_return co_await s.send_file_range(content.file(), offset, length);
}

void string_literal(Session& s, std::string_view bytes, const std::optional<Partial>& partial,
                    bool literal8 = false) {
  if (partial) {
    size_t skip = std::min<size_t>(partial->origin, bytes.size());
    bytes = bytes.substr(skip, partial->count);
  }
  s.out().append((literal8 ? "~{" : "{") + std::to_string(bytes.size()) + "}\r\n");
  s.out().append(bytes);
}

struct ItemResult {
  bool ok = true;           // false: the connection or the message failed mid-response
  bool unknown_cte = false;  // BINARY met an unknown Content-Transfer-Encoding
};

// BODY[<part>...] and BINARY on a part: the part, or nullptr (answered NIL).
const mail::BodyPart* part_of(const mail::ParsedMessage& parsed, const Section& section) {
  return mail::find_part(parsed.body, section.part);
}

asio::awaitable<ItemResult> body_section(Session& s, const FetchAtt& att, Content& content) {
  ResponseWriter& out = s.out();
  out.append(section_label("BODY", att, true) + " ");
  const Section& sec = att.section;
  if (sec.part.empty()) {
    if (sec.text == Text::none) {
      co_return ItemResult{co_await file_literal(s, content, 0, content.size(), att.partial)};
    }
    auto header = co_await content.header();
    if (!header) co_return ItemResult{false};
    if (sec.text == Text::header) {
      string_literal(s, *header, att.partial);
    } else if (sec.text == Text::text) {
      co_return ItemResult{co_await file_literal(s, content, header->size(),
                                                 UINT64_MAX, att.partial)};
    } else {
      string_literal(s, mail::header_fields(*header, sec.fields, sec.text == Text::header_fields_not),
                     att.partial);
    }
    co_return ItemResult{};
  }
  const mail::ParsedMessage* parsed = co_await content.parsed();
  if (!parsed) co_return ItemResult{false};
  const mail::BodyPart* part = part_of(*parsed, sec);
  // HEADER, TEXT and HEADER.FIELDS of a part address its encapsulated message.
  const mail::BodyPart* inner =
      part && part->is_message() ? &part->children[0] : nullptr;
  if (!part || (sec.text != Text::none && sec.text != Text::mime && !inner)) {
    out.append("NIL");  // no such part (RFC 2180 §4.1.3 style: nothing to return)
    co_return ItemResult{};
  }
  switch (sec.text) {
    case Text::none:
      co_return ItemResult{co_await file_literal(s, content, part->body_offset, part->body_size,
                                                 att.partial)};
    case Text::mime:
      co_return ItemResult{co_await file_literal(s, content, part->header_offset,
                                                 part->header_size, att.partial)};
    case Text::text:
      co_return ItemResult{co_await file_literal(s, content, inner->body_offset, inner->body_size,
                                                 att.partial)};
    case Text::header:
      co_return ItemResult{co_await file_literal(s, content, inner->header_offset,
                                                 inner->header_size, att.partial)};
    case Text::header_fields:
    case Text::header_fields_not: {
      auto header = co_await content.read(inner->header_offset, inner->header_size);
      if (!header) co_return ItemResult{false};
      string_literal(s, mail::header_fields(*header, sec.fields, sec.text == Text::header_fields_not),
                     att.partial);
      co_return ItemResult{};
    }
  }
  co_return ItemResult{false};
}

// BINARY[part]<partial> and BINARY.SIZE[part] (RFC 3516): the part's content
// with its transfer encoding undone. BINARY[] is the whole message as stored.
asio::awaitable<ItemResult> binary(Session& s, const FetchAtt& att, Content& content) {
  bool size_only = att.kind == Kind::binary_size;
  s.out().append(section_label(size_only ? "BINARY.SIZE" : "BINARY", att, !size_only) + " ");
  std::string decoded;
  if (att.section.part.empty()) {
    auto whole = co_await content.read(0, content.size());
    if (!whole) co_return ItemResult{false};
    decoded = std::move(*whole);
  } else {
    const mail::ParsedMessage* parsed = co_await content.parsed();
    if (!parsed) co_return ItemResult{false};
    const mail::BodyPart* part = part_of(*parsed, att.section);
    if (!part) {
      s.out().append("NIL");
      co_return ItemResult{};
    }
    auto raw = co_await content.read(part->body_offset, part->body_size);
    if (!raw) co_return ItemResult{false};
    // A multipart or message part has no encoding of its own to undo
    // (RFC 2045 §6.4): its bytes go as they are, as Dovecot sends them.
    auto plain = part->is_multipart() || part->is_message()
                     ? Result<std::string>(std::move(*raw))
                     : mail::decode_transfer_encoding(*raw, part->encoding);
    if (!plain) {
      s.out().append("NIL");
      co_return ItemResult{true, true};
    }
    decoded = std::move(*plain);
  }
  if (size_only) {
    s.out().append(std::to_string(decoded.size()));
  } else {
    // literal8 (RFC 3516 §4.2) only where a plain literal cannot carry the bytes.
    string_literal(s, decoded, att.partial, decoded.find('\0') != std::string::npos);
  }
  co_return ItemResult{};
}

void append_number(std::string& out, uint64_t n) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out.append(buf, end);
}

// Appends an item that the index metadata answers; false for other items.
// Not a coroutine: header sync and FLAGS syncs call it 100,000s of times.
bool append_metadata_item(std::string& out, const FetchAtt& att, const store::MessageMeta& meta,
                          const SelectedMailbox& mailbox) {
  switch (att.kind) {
    case Kind::uid:
      out += "UID ";
      append_number(out, meta.uid);
      return true;
    case Kind::flags:
      out += "FLAGS ";
      append_flags(out, meta.flags, mailbox.recent(meta.uid));
      return true;
    case Kind::internaldate:
      out += "INTERNALDATE \"";
      out += format_internal_date(meta.internal_date, meta.internal_date_offset);
      out += '"';
      return true;
    case Kind::rfc822_size:
      out += "RFC822.SIZE ";
      append_number(out, meta.size);
      return true;
    case Kind::modseq:
      out += "MODSEQ (";
      append_number(out, meta.modseq);
      out += ')';
      return true;
    default:
      return false;
  }
}

// Appends one fetch item.
asio::awaitable<ItemResult> fetch_item(Session& s, const FetchAtt& att,
                                       const store::MessageMeta& meta, Content& content,
                                       const SelectedMailbox& mailbox) {
  ResponseWriter& out = s.out();
  bool utf8 = s.utf8();
  if (append_metadata_item(out.buffer(), att, meta, mailbox)) co_return ItemResult{};
  switch (att.kind) {
    case Kind::uid:
    case Kind::flags:
    case Kind::internaldate:
    case Kind::rfc822_size:
    case Kind::modseq:
      co_return ItemResult{};  // answered above
    case Kind::envelope:
    case Kind::body:
    case Kind::bodystructure: {
      if (!utf8)
        if (auto text = content.answer(*cached_tag(att))) {
          out.append(att.kind == Kind::envelope ? "ENVELOPE " : att.kind == Kind::body ? "BODY " : "BODYSTRUCTURE ");
          out.append(*text);
          co_return ItemResult{};
        }
      const mail::ParsedMessage* parsed = co_await content.parsed();
      if (!parsed) co_return ItemResult{false};
      std::string text = att.kind == Kind::envelope ? "ENVELOPE "
                         : att.kind == Kind::body   ? "BODY "
                                                    : "BODYSTRUCTURE ";
      if (att.kind == Kind::envelope) {
        append_envelope(text, parsed->envelope, utf8);
      } else {
        append_body_structure(text, parsed->body, att.kind == Kind::bodystructure, utf8);
      }
      out.append(text);
      co_return ItemResult{};
    }
    case Kind::rfc822:
      out.append("RFC822 ");
      co_return ItemResult{co_await file_literal(s, content, 0, content.size(), std::nullopt)};
    case Kind::rfc822_header: {
      auto header = co_await content.header();
      if (!header) co_return ItemResult{false};
      out.append("RFC822.HEADER ");
      string_literal(s, *header, std::nullopt);
      co_return ItemResult{};
    }
    case Kind::rfc822_text: {
      auto header = co_await content.header();
      if (!header) co_return ItemResult{false};
      out.append("RFC822.TEXT ");
      co_return ItemResult{
          co_await file_literal(s, content, header->size(), UINT64_MAX, std::nullopt)};
    }
    case Kind::body_section:
      co_return co_await body_section(s, att, content);
    case Kind::binary:
    case Kind::binary_size:
      co_return co_await binary(s, att, content);
  }
  co_return ItemResult{false};
}

}  // namespace

asio::awaitable<void> cmd_fetch(Session& s, const Command& cmd) {
  const auto& args = std::get<FetchArgs>(cmd.args);
  SelectedMailbox& mailbox = *s.selected();
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
  if (cmd.uid) atts.push_back(FetchAtt{.kind = Kind::uid});
  bool wants_flags = false, marks_seen = false, reads_file = false, uses_cache = false;
  bool wants_header = false, wants_structure = false;  // parts of the cache blobs to copy
  bool header_items = false;                            // items answered from the header block
  bool only_common_fields = true;  // every header item asks only cached_header_fields()
  std::vector<char> tags;  // cached answers wanted (cached_tag)
  for (const auto& att : args.atts) {
    if (cmd.uid && att.kind == Kind::uid) continue;
    wants_flags = wants_flags || att.kind == Kind::flags;
    marks_seen = marks_seen || (sets_seen(att) && !mailbox.read_only());
    reads_file = reads_file || always_reads_file(att);
    uses_cache = uses_cache || needs_structure(att) || is_header_only(att);
    // Every item but these may read the header block (sections find the body after it).
    bool no_header = att.kind == Kind::uid || att.kind == Kind::flags ||
                     att.kind == Kind::internaldate || att.kind == Kind::rfc822_size ||
                     att.kind == Kind::modseq || cached_tag(att);
    wants_header = wants_header || !no_header;
    header_items = header_items || is_header_only(att);
    // HEADER.FIELDS of the commonly cached fields only: answered from those.
    bool common_fields = att.kind == Kind::body_section && att.section.part.empty() &&
                         att.section.text == Text::header_fields && in_cached_header_fields(att.section.fields);
    only_common_fields = only_common_fields && (no_header || common_fields);
    if (auto tag = cached_tag(att); tag && !s.utf8()) {
      tags.push_back(*tag);
    } else {
      wants_structure = wants_structure || needs_structure(att);
    }
    atts.push_back(att);
  }
  if (header_items && only_common_fields) {
    tags.push_back(kCachedHeaderFields);  // instead of the header block (a message without it reads that)
    wants_header = false;
  }
  // Only what this FETCH uses is copied out of the index: the cached
  // answers (kept apart, each kind together), and of the cache blob the
  // header block if an item reads it, the structure if an item needs it
  // or a message lacks a cached answer.
  auto project_for = [](bool header, bool structure) {
    return [header, structure](std::string_view blob) {
      auto view = mail::view_cache(blob);
      if (!view) return std::string(blob);
      return mail::project_cache(*view, header ? view->header : std::string_view(), structure);
    };
  };
  struct Batch {
    std::vector<store::MessageMeta> metas;
    std::vector<std::vector<std::optional<std::string>>> answers;  // per tag, per message
    std::vector<std::string> blobs;                                // per message ("" if not read)
  };

  auto id = mailbox.id();
  bool unknown_cte = false;
  // Metadata and cached answers are small: bigger batches, fewer trips to the pool.
  const size_t batch_size = (wants_header || wants_structure || reads_file) ? kBatch : 16 * kBatch;
  for (size_t first = 0; first < uids->size(); first += batch_size) {
    std::span<const uint32_t> batch(uids->data() + first, std::min(batch_size, uids->size() - first));
    auto read = co_await s.blocking([&]() -> Result<Batch> {
      Batch b;
      auto metas = s.account().messages(id, batch);
      if (!metas) return metas.error();
      b.metas = std::move(*metas);
      if (!uses_cache) return b;
      std::vector<uint32_t> present;
      for (const auto& m : b.metas) present.push_back(m.uid);
      std::vector<bool> lacks(present.size(), false);  // a cached answer is missing
      for (char tag : tags) {
        auto a = s.account().cache_extras(id, tag, present);
        if (!a) return a.error();
        for (size_t i = 0; i < a->size(); ++i) lacks[i] = lacks[i] || !(*a)[i];
        b.answers.push_back(std::move(*a));
      }
      b.blobs.resize(present.size());
      if (wants_header || wants_structure) {
        auto cached = s.account().caches(id, present, project_for(wants_header, true));
        if (cached) b.blobs = std::move(*cached);
      } else {
        std::vector<uint32_t> need;
        for (size_t i = 0; i < present.size(); ++i)
          if (lacks[i]) need.push_back(present[i]);
        if (!need.empty()) {
          // What a cached answer would have given: the structure, and the header.
          auto cached = s.account().caches(id, need, project_for(true, true));
          if (cached)
            for (size_t i = 0, k = 0; i < present.size() && k < cached->size(); ++i)
              if (lacks[i]) b.blobs[i] = std::move((*cached)[k++]);
        }
      }
      return b;
    });
    if (!read) {
      answer_error(s.out(), cmd.tag, read.error(), "Cannot read the mailbox", s.id());
      co_return;
    }
    auto* metas = &read->metas;
    std::vector<std::string>& blobs = read->blobs;
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
    for (size_t i = 0; i < metas->size(); ++i) {
      const auto& meta = (*metas)[i];
      uint32_t seq = mailbox.seq_of(meta.uid);
      if (seq == 0) continue;
      Content content(s, id, meta.uid,
                      i < blobs.size() ? std::string_view(blobs[i]) : std::string_view());
      for (size_t t = 0; t < tags.size(); ++t)
        if (i < read->answers[t].size() && read->answers[t][i]) content.add_answer(tags[t], *read->answers[t][i]);
      // Opened before the response starts: a message another session expunged
      // meanwhile is left out (RFC 2180 §4.1.2); an open file stays readable.
      bool needs_file = reads_file ||
                        (header_items && !content.has_header() && !content.answer(kCachedHeaderFields)) ||
                        (wants_structure && !content.has_cache());
      for (char t : tags) needs_file = needs_file || (!content.answer(t) && !content.has_cache());
      if (needs_file && !co_await content.open()) continue;
      std::string& buf = s.out().buffer();
      buf += "* ";
      append_number(buf, seq);
      buf += " FETCH (";
      bool first_item = true;
      for (const auto& att : atts) {
        if (!first_item) s.out().append(" ");
        first_item = false;
        if (append_metadata_item(s.out().buffer(), att, meta, mailbox)) continue;
        ItemResult r = co_await fetch_item(s, att, meta, content, mailbox);
        unknown_cte = unknown_cte || r.unknown_cte;
        if (!r.ok) {
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
  if (unknown_cte) {
    // RFC 3516 §4.3: a part whose encoding cannot be undone.
    s.out().tagged(cmd.tag, Reply::no, "UNKNOWN-CTE", "Unknown Content-Transfer-Encoding");
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "FETCH completed");
}

}  // namespace courriel::imap
