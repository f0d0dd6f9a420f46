#include "search/search.h"

#include <string.h>  // memmem (glibc)

#include <algorithm>
#include <limits>
#include <utility>

#include "base/ascii.h"
#include "mail/decode.h"
#include "mail/header.h"
#include "search/casemap.h"
#include "search/date.h"

namespace courriel::search {

using Kind = imap::SearchKey::Kind;

struct CompiledSearch::Node {
  Kind kind = Kind::all;
  std::string needle;  // casemapped (string keys), or the keyword
  std::string field;   // HEADER field name; FROM etc. set it too
  uint64_t number = 0;
  int64_t day = 0;  // date keys: days since the epoch
  // Sequence / UID sets: ranges without "*", sorted and merged; ranges with
  // "*" keep their other end (0 for a lone "*") and resolve at match time.
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  std::vector<uint32_t> star_ends;
  bool saved = false;
  std::vector<Node> children;
};

CompiledSearch::CompiledSearch() = default;
CompiledSearch::~CompiledSearch() = default;
CompiledSearch::CompiledSearch(CompiledSearch&&) noexcept = default;
CompiledSearch& CompiledSearch::operator=(CompiledSearch&&) noexcept = default;

namespace {

using Node = CompiledSearch::Node;

bool contains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  return memmem(hay.data(), hay.size(), needle.data(), needle.size()) != nullptr;
}

void compile_set(const imap::SequenceSet& set, Node& node) {
  node.saved = set.saved;
  for (const imap::SeqRange& r : set.ranges) {
    if (r.first == imap::SeqRange::kStar || r.last == imap::SeqRange::kStar) {
      node.star_ends.push_back(r.first == imap::SeqRange::kStar ? r.last : r.first);
    } else {
      node.ranges.emplace_back(std::min(r.first, r.last), std::max(r.first, r.last));
    }
  }
  std::sort(node.ranges.begin(), node.ranges.end());
  std::vector<std::pair<uint32_t, uint32_t>> merged;
  for (const auto& r : node.ranges) {
    if (!merged.empty() && uint64_t{r.first} <= uint64_t{merged.back().second} + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  node.ranges = std::move(merged);
}

}  // namespace

Needs operator|(Needs a, const Needs& b) {
  a.header = a.header || b.header;
  a.parsed = a.parsed || b.parsed;
  a.body = a.body || b.body;
  a.all_fields = a.all_fields || b.all_fields;
  a.fields.insert(a.fields.end(), b.fields.begin(), b.fields.end());
  if (!a.cached_instead) {
    a.cached_instead = b.cached_instead;
    a.cached_lines = b.cached_lines;
  }
  return a;
}

namespace {

struct Compiler {
  std::optional<std::string_view> charset;
  Needs needs;
  bool uses_modseq = false;
  bool uses_saved = false;

  Result<std::string> text(const std::string& s) {
    if (!charset || charset->empty()) return casemap(s);
    std::optional<std::string> utf8 = mail::to_utf8(s, *charset);
    if (!utf8) return make_error(Errc::not_found, "unknown charset");
    return casemap(*utf8);
  }

  Status build(const imap::SearchKey& key, Node& node) {
    node.kind = key.kind;
    switch (key.kind) {
      case Kind::and_:
      case Kind::not_:
      case Kind::or_:
        node.children.resize(key.children.size());
        for (size_t i = 0; i < key.children.size(); ++i) {
          if (Status s = build(key.children[i], node.children[i]); !s) return s;
        }
        break;
      case Kind::bcc:
      case Kind::cc:
      case Kind::from:
      case Kind::to:
      case Kind::subject:
      case Kind::header: {
        static constexpr std::pair<Kind, std::string_view> kFields[] = {
            {Kind::bcc, "Bcc"}, {Kind::cc, "Cc"}, {Kind::from, "From"},
            {Kind::to, "To"},   {Kind::subject, "Subject"}};
        node.field = key.str;
        for (const auto& [k, name] : kFields) {
          if (k == key.kind) node.field = name;
        }
        Result<std::string> t = text(key.kind == Kind::header ? key.str2 : key.str);
        if (!t) return t.error();
        node.needle = std::move(*t);
        needs.header = true;
        needs.fields.push_back(node.field);
        break;
      }
      case Kind::body:
      case Kind::text: {
        Result<std::string> t = text(key.str);
        if (!t) return t.error();
        node.needle = std::move(*t);
        needs.parsed = needs.body = true;
        if (key.kind == Kind::text) needs.header = needs.all_fields = true;
        break;
      }
      case Kind::keyword:
      case Kind::unkeyword:
        node.needle = key.str;
        break;
      case Kind::larger:
      case Kind::smaller:
      case Kind::older:
      case Kind::younger:
        node.number = key.number;
        break;
      case Kind::modseq:
        node.number = key.number;
        uses_modseq = true;
        break;
      case Kind::before:
      case Kind::on:
      case Kind::since:
        node.day = days_from_civil(key.date.year, key.date.month, key.date.day);
        break;
      case Kind::sentbefore:
      case Kind::senton:
      case Kind::sentsince:
        node.day = days_from_civil(key.date.year, key.date.month, key.date.day);
        needs.header = true;
        needs.fields.push_back("Date");
        break;
      case Kind::uid:
      case Kind::sequence_set:
        compile_set(key.set, node);
        if (key.set.saved) uses_saved = true;
        break;
      default:
        break;
    }
    return {};
  }
};

// Per-message lazily loaded state.
class Eval {
 public:
  Eval(MessageAccess& m, const SearchEnv& env) : m_(m), env_(env) {}

  bool run(const Node& n) {
    const store::MessageMeta& meta = m_.meta();
    uint8_t sys = meta.flags.system;
    switch (n.kind) {
      case Kind::and_:
        for (const Node& c : n.children) {
          if (!run(c)) return false;
        }
        return true;
      case Kind::or_:
        for (const Node& c : n.children) {
          if (run(c)) return true;
        }
        return false;
      case Kind::not_:
        return n.children.empty() || !run(n.children[0]);
      case Kind::all:
        return true;
      case Kind::answered: return (sys & store::kAnswered) != 0;
      case Kind::deleted: return (sys & store::kDeleted) != 0;
      case Kind::draft: return (sys & store::kDraft) != 0;
      case Kind::flagged: return (sys & store::kFlagged) != 0;
      case Kind::seen: return (sys & store::kSeen) != 0;
      case Kind::unanswered: return (sys & store::kAnswered) == 0;
      case Kind::undeleted: return (sys & store::kDeleted) == 0;
      case Kind::undraft: return (sys & store::kDraft) == 0;
      case Kind::unflagged: return (sys & store::kFlagged) == 0;
      case Kind::unseen: return (sys & store::kSeen) == 0;
      case Kind::recent: return m_.recent();
      case Kind::old: return !m_.recent();
      case Kind::new_: return m_.recent() && (sys & store::kSeen) == 0;
      case Kind::keyword:
      case Kind::unkeyword: {
        bool has = std::any_of(meta.flags.keywords.begin(), meta.flags.keywords.end(),
                               [&](const std::string& k) { return ascii::iequals(k, n.needle); });
        return n.kind == Kind::keyword ? has : !has;
      }
      case Kind::larger: return meta.size > n.number;
      case Kind::smaller: return meta.size < n.number;
      case Kind::modseq: return meta.modseq >= n.number;
      case Kind::older:
        return meta.internal_date < cutoff(n.number);
      case Kind::younger:
        return meta.internal_date >= cutoff(n.number);
      case Kind::before:
      case Kind::on:
      case Kind::since:
        return compare_day(local_day(meta.internal_date, meta.internal_date_offset), n);
      case Kind::sentbefore:
      case Kind::senton:
      case Kind::sentsince:
        return compare_day(sent_day(), n);
      case Kind::uid:
        return in_set(n, meta.uid, env_.max_uid);
      case Kind::sequence_set:
        return in_set(n, m_.seq(), env_.max_seq);
      case Kind::bcc:
      case Kind::cc:
      case Kind::from:
      case Kind::to:
      case Kind::subject:
      case Kind::header:
        return header_has(n.field, n.needle);
      case Kind::body:
        return contains(body(), n.needle);
      case Kind::text:
        return contains(header_text(), n.needle) || contains(body(), n.needle);
    }
    return false;
  }

 private:
  // now - seconds, saturating (an interval longer than the epoch reaches back
  // before every message).
  int64_t cutoff(uint64_t seconds) const {
    constexpr uint64_t kMax = uint64_t{1} << 62;
    return seconds >= kMax ? std::numeric_limits<int64_t>::min() : env_.now - int64_t(seconds);
  }

  static bool compare_day(int64_t day, const Node& n) {
    switch (n.kind) {
      case Kind::before:
      case Kind::sentbefore:
        return day < n.day;
      case Kind::on:
      case Kind::senton:
        return day == n.day;
      default:
        return day >= n.day;
    }
  }

  bool in_set(const Node& n, uint32_t value, uint32_t max) {
    if (n.saved) {
      if (!env_.saved) return false;
      return std::binary_search(env_.saved->begin(), env_.saved->end(), m_.meta().uid);
    }
    for (uint32_t end : n.star_ends) {
      uint32_t e = end == 0 ? max : end;
      if (value >= std::min(e, max) && value <= std::max(e, max)) return true;
    }
    auto it = std::upper_bound(n.ranges.begin(), n.ranges.end(), value,
                               [](uint32_t v, const auto& r) { return v < r.first; });
    return it != n.ranges.begin() && value <= std::prev(it)->second;
  }

  void load_fields() {
    if (fields_loaded_) return;
    fields_loaded_ = true;
    fields_ = mail::header_fields_of(m_.header());
    folded_.assign(fields_.size(), std::nullopt);
  }

  const std::string& folded(size_t i) {
    if (!folded_[i]) folded_[i] = casemap(mail::decode_header_text(mail::unfold(fields_[i].value)));
    return *folded_[i];
  }

  bool header_has(std::string_view name, std::string_view needle) {
    load_fields();
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (!ascii::iequals(fields_[i].name, name)) continue;
      if (needle.empty() || contains(folded(i), needle)) return true;
    }
    return false;
  }

  const std::string& header_text() {
    if (!header_text_) {
      load_fields();
      std::string t;
      for (size_t i = 0; i < fields_.size(); ++i) {
        casemap_append(fields_[i].name, t);
        t += ": ";
        t += folded(i);
        t += '\n';
      }
      header_text_ = std::move(t);
    }
    return *header_text_;
  }

  const std::string& body() {
    if (!body_) {
      const mail::ParsedMessage& p = m_.parsed();
      body_ = casemap(mail::text_for_search(m_.raw(), p.body));
    }
    return *body_;
  }

  int64_t sent_day() {
    if (!sent_day_) {
      load_fields();
      std::optional<SentDate> d;
      for (const mail::HeaderField& f : fields_) {
        if (ascii::iequals(f.name, "Date")) {
          d = parse_date_time(mail::unfold(f.value));
          break;
        }
      }
      const store::MessageMeta& meta = m_.meta();
      sent_day_ = d ? local_day(d->epoch, d->offset_minutes)
                    : local_day(meta.internal_date, meta.internal_date_offset);
    }
    return *sent_day_;
  }

  MessageAccess& m_;
  const SearchEnv& env_;
  bool fields_loaded_ = false;
  std::vector<mail::HeaderField> fields_;
  std::vector<std::optional<std::string>> folded_;
  std::optional<std::string> header_text_;
  std::optional<std::string> body_;
  std::optional<int64_t> sent_day_;
};

}  // namespace

Result<CompiledSearch> compile(const imap::SearchKey& root,
                               std::optional<std::string_view> charset) {
  if (charset && !charset->empty() && !mail::to_utf8("", *charset)) {
    return make_error(Errc::not_found, "unknown charset");
  }
  CompiledSearch out;
  out.root_ = std::make_unique<Node>();
  Compiler c{charset};
  if (Status s = c.build(root, *out.root_); !s) return s.error();
  out.needs_ = c.needs;
  out.uses_modseq_ = c.uses_modseq;
  out.uses_saved_ = c.uses_saved;
  return out;
}

bool matches(const CompiledSearch& search, MessageAccess& m, const SearchEnv& env) {
  if (!search.root_) return true;
  Eval e(m, env);
  return e.run(*search.root_);
}

std::optional<std::string> decoded_header(std::string_view header, std::string_view field) {
  std::vector<mail::HeaderField> fields = mail::header_fields_of(header);
  std::optional<std::string> v = mail::header_value(fields, field);
  if (!v) return std::nullopt;
  return mail::decode_header_text(*v);
}

int64_t sent_date(std::string_view header, const store::MessageMeta& meta) {
  std::vector<mail::HeaderField> fields = mail::header_fields_of(header);
  if (std::optional<std::string> v = mail::header_value(fields, "Date")) {
    if (std::optional<SentDate> d = parse_date_time(*v)) return d->epoch;
  }
  return meta.internal_date;
}

}  // namespace courriel::search
