#include "search/thread.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <deque>
#include <functional>
#include <numeric>
#include <unordered_map>

#include "base/ascii.h"
#include "mail/decode.h"
#include "mail/header.h"
#include "mail/subject.h"
#include "search/casemap.h"
#include "search/date.h"

namespace courriel::search {
namespace {

// What threading needs of one message. The strings are views: into the
// messages' cached thread keys, or into Gathered::computed.
struct Info {
  uint32_t seq = 0;
  uint32_t id = 0;  // what the response shows
  int64_t date = 0;
  std::string_view subject;  // base subject, casemapped
  bool reply = false;
  std::string_view message_id;  // "" when none
  std::string_view refs;        // the references, separated by spaces
};

struct Gathered {
  std::vector<Info> infos;         // in sequence-number order
  std::deque<std::string> computed;  // encoded keys made from headers (no cached key)
};

// The key text's fields as views; nullopt if it is not a key.
bool view_thread_key(std::string_view text, Info& info, int64_t fallback_date) {
  auto date = decode_thread_key_date(text);
  if (!date) return false;
  std::string_view parts[4];
  size_t at = text.find('\n') + 1;
  for (int i = 0; i < 4; ++i) {
    size_t nl = i < 3 ? text.find('\n', at) : std::string_view::npos;
    if (i < 3 && nl == std::string_view::npos) return false;
    parts[i] = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl + 1;
  }
  if (parts[0] != "0" && parts[0] != "1") return false;
  info.date = date->value_or(fallback_date);
  info.reply = parts[0] == "1";
  info.subject = parts[1];
  info.message_id = parts[2];
  info.refs = parts[3];
  return true;
}

Gathered gather(std::span<MessageAccess* const> messages, bool uid, bool references) {
  Gathered g;
  g.infos.reserve(messages.size());
  for (MessageAccess* m : messages) {
    Info info;
    info.seq = m->seq();
    info.id = uid ? m->meta().uid : m->seq();
    std::optional<std::string_view> text = m->cached(kCachedThreadKey);
    if (!text || !view_thread_key(*text, info, m->meta().internal_date)) {
      // No cached key: made from the header, encoded the same way.
      view_thread_key(g.computed.emplace_back(encode_thread_key(thread_key(m->header()))), info,
                      m->meta().internal_date);
    }
    if (!references) info.message_id = info.refs = {};
    g.infos.push_back(std::move(info));
  }
  auto by_seq = [](const Info& a, const Info& b) { return a.seq < b.seq; };
  if (!std::is_sorted(g.infos.begin(), g.infos.end(), by_seq))  // they usually come in order
    std::stable_sort(g.infos.begin(), g.infos.end(), by_seq);
  return g;
}

bool earlier(const Info& a, const Info& b) {
  return a.date != b.date ? a.date < b.date : a.seq < b.seq;
}

// --- REFERENCES ---

constexpr int kNone = -1;

struct Container {
  int msg = kNone;  // index into infos, kNone for a dummy
  int parent = kNone;
  std::vector<int> children;
};

class Threader {
 public:
  explicit Threader(std::vector<Info> infos) : infos_(std::move(infos)) {
    by_id_.assign(std::bit_ceil(std::max<size_t>(64, 4 * infos_.size())), {{}, -1});
    cs_.reserve(2 * infos_.size());
  }

  std::vector<ThreadNode> run() {
    // Step 1.
    for (int i = 0; i < int(infos_.size()); ++i) place(i);
    // Step 2.
    std::vector<int> root;
    for (int c = 0; c < int(cs_.size()); ++c) {
      if (cs_[c].parent == kNone) root.push_back(c);
    }
    // Step 3.
    std::vector<int> pruned;
    for (int c : root) prune(c, true, pruned);
    root = std::move(pruned);
    // Step 4.
    for (int c : root) {
      if (cs_[c].msg == kNone) sort_siblings(cs_[c].children);
    }
    sort_siblings(root);
    // Step 5.
    root = group_by_subject(root);
    // Step 6.
    sort_all(root);
    std::vector<ThreadNode> out;
    for (int c : root) out.push_back(node(c));
    return out;
  }

 private:
  int make() {
    cs_.emplace_back();
    return int(cs_.size()) - 1;
  }
  // The container of a message ID, made on first sight. An open-addressing
  // table (linear probing, kept at most half full): one allocation for all
  // the IDs of a mailbox instead of one node each.
  int lookup(std::string_view id) {
    if (2 * (by_id_used_ + 1) > by_id_.size()) grow();
    size_t mask = by_id_.size() - 1;
    for (size_t i = std::hash<std::string_view>{}(id) & mask;; i = (i + 1) & mask) {
      auto& slot = by_id_[i];
      if (slot.second < 0) {
        slot = {id, make()};
        ++by_id_used_;
        return slot.second;
      }
      if (slot.first == id) return slot.second;
    }
  }
  void grow() {
    std::vector<std::pair<std::string_view, int>> old(std::max<size_t>(64, 2 * by_id_.size()), {{}, -1});
    old.swap(by_id_);
    size_t mask = by_id_.size() - 1;
    for (const auto& e : old) {
      if (e.second < 0) continue;
      size_t i = std::hash<std::string_view>{}(e.first) & mask;
      while (by_id_[i].second >= 0) i = (i + 1) & mask;
      by_id_[i] = e;
    }
  }
  // Whether `a` is `b` or one of b's descendants.
  bool within(int a, int b) const {
    for (int c = a; c != kNone; c = cs_[c].parent) {
      if (c == b) return true;
    }
    return false;
  }
  void unlink(int child) {
    int p = cs_[child].parent;
    if (p == kNone) return;
    auto& siblings = cs_[p].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), child));
    cs_[child].parent = kNone;
  }
  void link(int parent, int child) {
    cs_[child].parent = parent;
    cs_[parent].children.push_back(child);
  }

  void place(int i) {
    const Info& info = infos_[i];
    int self;
    if (info.message_id.empty()) {
      self = make();
    } else {
      self = lookup(info.message_id);
      if (cs_[self].msg != kNone) self = make();  // a duplicate ID: unique for this one
    }
    cs_[self].msg = i;
    // 1.A: chain the references, never re-parenting, never looping.
    int prev = kNone;
    for (size_t at = 0; at < info.refs.size();) {
      size_t sp = std::min(info.refs.find(' ', at), info.refs.size());
      std::string_view ref = info.refs.substr(at, sp - at);
      at = sp + 1;
      if (ref.empty()) continue;
      int c = lookup(ref);
      if (prev != kNone && prev != c && cs_[c].parent == kNone && !within(prev, c)) link(prev, c);
      prev = c;
    }
    // 1.B: the last reference is the parent.
    if (prev == kNone) {
      unlink(self);
    } else if (cs_[self].parent != prev && !within(prev, self)) {
      unlink(self);
      link(prev, self);
    }
  }

  // Appends what replaces container c at its level to `out` (step 3).
  void prune(int c, bool at_root, std::vector<int>& out) {
    std::vector<int> kids;
    for (int k : cs_[c].children) prune(k, false, kids);
    for (int k : kids) cs_[k].parent = c;
    cs_[c].children = std::move(kids);
    const std::vector<int>& kept = cs_[c].children;
    if (cs_[c].msg != kNone) {
      out.push_back(c);
    } else if (kept.empty()) {
      // a dummy without children: deleted
    } else if (!at_root || kept.size() == 1) {
      for (int k : kept) {
        cs_[k].parent = at_root ? kNone : cs_[c].parent;
        out.push_back(k);
      }
    } else {
      out.push_back(c);
    }
  }

  // The message a container is sorted by: itself, or a dummy's first child.
  const Info* key(int c) const {
    while (cs_[c].msg == kNone) {
      if (cs_[c].children.empty()) return nullptr;
      c = cs_[c].children.front();
    }
    return &infos_[cs_[c].msg];
  }
  void sort_all(std::vector<int>& list) {
    for (int c : list) sort_all(cs_[c].children);
    sort_siblings(list);
  }
  void sort_siblings(std::vector<int>& list) {
    if (list.size() < 2) return;  // most containers: no temporary buffer to allocate
    std::stable_sort(list.begin(), list.end(), [&](int a, int b) {
      const Info* ka = key(a);
      const Info* kb = key(b);
      if (!ka || !kb) return ka != nullptr && kb == nullptr;
      return earlier(*ka, *kb);
    });
  }

  std::string_view subject_of(int c) const {
    const Info* k = key(c);
    return k ? k->subject : std::string_view();
  }
  bool is_dummy(int c) const { return cs_[c].msg == kNone; }
  bool is_reply(int c) const { return !is_dummy(c) && infos_[cs_[c].msg].reply; }

  std::vector<int> group_by_subject(std::vector<int> root) {
    // 5.B
    std::unordered_map<std::string_view, int> table;
    for (int c : root) {
      std::string_view s = subject_of(c);
      if (s.empty()) continue;
      auto [it, inserted] = table.try_emplace(s, c);
      if (inserted) continue;
      int t = it->second;
      if (!is_dummy(t) && (is_dummy(c) || (is_reply(t) && !is_reply(c)))) it->second = c;
    }
    // 5.C
    std::vector<int> out;
    for (int c : root) {
      if (cs_[c].parent != kNone) {
        // A table message put under a new dummy by an earlier merge: the
        // dummy takes its place.
        int top = c;
        while (cs_[top].parent != kNone) top = cs_[top].parent;
        if (std::find(out.begin(), out.end(), top) == out.end()) out.push_back(top);
        continue;
      }
      std::string_view s = subject_of(c);
      auto it = s.empty() ? table.end() : table.find(s);
      if (it == table.end() || it->second == c) {
        out.push_back(c);
        continue;
      }
      int t = it->second;
      if (is_dummy(t) && is_dummy(c)) {
        for (int k : cs_[c].children) link(t, k);
        cs_[c].children.clear();
      } else if (is_dummy(t) || (is_reply(c) && !is_reply(t))) {
        link(t, c);
      } else {
        int d = make();
        link(d, t);
        link(d, c);
        it->second = d;
        auto pos = std::find(out.begin(), out.end(), t);
        if (pos != out.end()) *pos = d;  // else: placed when t is reached
      }
    }
    return out;
  }

  ThreadNode node(int c) const {
    ThreadNode n;
    n.id = is_dummy(c) ? 0 : infos_[cs_[c].msg].id;
    n.children.reserve(cs_[c].children.size());
    for (int k : cs_[c].children) n.children.push_back(node(k));
    return n;
  }

  std::vector<Info> infos_;
  std::vector<Container> cs_;
  std::vector<std::pair<std::string_view, int>> by_id_;  // (id, container); -1: free
  size_t by_id_used_ = 0;
};

void chain(const ThreadNode& n, std::string& out) {
  bool dummy = n.id == 0;
  if (!dummy) out += std::to_string(n.id);
  if (n.children.size() == 1) {
    if (!dummy) out += ' ';
    chain(n.children.front(), out);
  } else if (n.children.size() > 1) {
    if (!dummy) out += ' ';
    for (const ThreadNode& k : n.children) {
      out += '(';
      chain(k, out);
      out += ')';
    }
  }
}

// Skips "[...]" at s[i] (no brackets inside) and the whitespace after it.
bool skip_blob(std::string_view s, size_t& i) {
  if (i >= s.size() || s[i] != '[') return false;
  size_t j = i + 1;
  while (j < s.size() && s[j] != '[' && s[j] != ']') ++j;
  if (j >= s.size() || s[j] != ']') return false;
  i = j + 1;
  while (i < s.size() && s[i] == ' ') ++i;
  return true;
}

// "re" / "fw" / "fwd", *WSP, [blob], ":" at s[i] (RFC 5256 §5 subj-refwd).
bool refwd_at(std::string_view s, size_t i) {
  size_t n;
  if (ascii::istarts_with(s.substr(i), "fwd")) {
    n = 3;
  } else if (ascii::istarts_with(s.substr(i), "fw") || ascii::istarts_with(s.substr(i), "re")) {
    n = 2;
  } else {
    return false;
  }
  i += n;
  while (i < s.size() && s[i] == ' ') ++i;
  skip_blob(s, i);
  return i < s.size() && s[i] == ':';
}

}  // namespace

std::vector<std::string> message_ids(std::string_view value) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = value.find('<', i)) != std::string_view::npos) {
    size_t end = value.find('>', i + 1);
    if (end == std::string_view::npos) break;
    std::string_view inner = value.substr(i + 1, end - i - 1);
    std::string id;
    for (size_t k = 0; k < inner.size(); ++k) {
      char c = inner[k];
      if (c == '\\' && k + 1 < inner.size()) {
        id += inner[++k];
      } else if (c != '"' && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        id += c;
      }
    }
    size_t at = id.find('@');
    bool valid = at != std::string::npos && at > 0 && at + 1 < id.size() &&
                 id.find('<') == std::string::npos && id.find('@', at + 1) == std::string::npos;
    if (valid) out.push_back(std::move(id));
    i = valid ? end + 1 : i + 1;
  }
  return out;
}

bool is_reply_or_forward(std::string_view subject) {
  std::string decoded = mail::decode_header_text(mail::unfold(subject));
  std::string s;
  for (char c : decoded) {  // whitespace runs to one space
    bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (ws && (s.empty() || s.back() == ' ')) continue;
    s += ws ? ' ' : c;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::string_view v = s;
  if (v.size() >= 5 && ascii::iequals(v.substr(v.size() - 5), "(fwd)")) return true;
  if (ascii::istarts_with(v, "[fwd:") && v.back() == ']') return true;
  size_t i = 0;
  for (;;) {
    if (refwd_at(v, i)) return true;
    size_t j = i;
    if (!skip_blob(v, j) || j >= v.size()) return false;  // a blob that is the whole subject stays
    i = j;
  }
}

ThreadKey thread_key(std::string_view header) {
  ThreadKey key;
  std::vector<mail::HeaderField> fields = mail::header_fields_of(header);
  if (std::optional<std::string> date = mail::header_value(fields, "Date")) {
    if (std::optional<SentDate> d = parse_date_time(*date)) key.date = d->epoch;
  }
  if (std::optional<std::string> subject = mail::header_value(fields, "Subject")) {
    key.subject = casemap(mail::base_subject(*subject));
    key.reply = is_reply_or_forward(*subject);
  }
  if (auto v = mail::header_value(fields, "Message-ID")) {
    std::vector<std::string> ids = message_ids(*v);
    if (!ids.empty()) key.message_id = std::move(ids.front());
  }
  if (auto v = mail::header_value(fields, "References")) key.refs = message_ids(*v);
  if (key.refs.empty()) {
    if (auto v = mail::header_value(fields, "In-Reply-To")) {
      std::vector<std::string> ids = message_ids(*v);
      if (!ids.empty()) key.refs.push_back(std::move(ids.front()));
    }
  }
  return key;
}

// "<date or ->\n<0|1>\n<subject>\n<message-id>\n<ref> <ref>...": message IDs
// hold no space or line end once normalised, a base subject no line end.
std::string encode_thread_key(const ThreadKey& key) {
  std::string out = key.date ? std::to_string(*key.date) : "-";
  out += key.reply ? "\n1\n" : "\n0\n";
  for (char c : key.subject) out += (c == '\n' || c == '\r') ? ' ' : c;
  out += '\n';
  out += key.message_id;
  out += '\n';
  for (size_t i = 0; i < key.refs.size(); ++i) out += (i ? " " : "") + key.refs[i];
  return out;
}

std::optional<std::optional<int64_t>> decode_thread_key_date(std::string_view text) {
  std::string_view first = text.substr(0, text.find('\n'));
  if (first.size() == text.size()) return std::nullopt;
  if (first == "-") return std::optional<int64_t>();
  int64_t d = 0;
  auto [end, ec] = std::from_chars(first.data(), first.data() + first.size(), d);
  if (ec != std::errc() || end != first.data() + first.size()) return std::nullopt;
  return std::optional<int64_t>(d);
}

std::optional<ThreadKey> decode_thread_key(std::string_view text) {
  std::vector<std::string_view> parts;
  for (size_t at = 0;;) {
    size_t nl = text.find('\n', at);
    parts.push_back(text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at));
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  if (parts.size() != 5 || (parts[1] != "0" && parts[1] != "1")) return std::nullopt;
  ThreadKey key;
  auto date = decode_thread_key_date(text);
  if (!date) return std::nullopt;
  key.date = *date;
  key.reply = parts[1] == "1";
  key.subject = std::string(parts[2]);
  key.message_id = std::string(parts[3]);
  for (size_t at = 0; at < parts[4].size();) {
    size_t sp = parts[4].find(' ', at);
    if (sp == std::string_view::npos) sp = parts[4].size();
    if (sp > at) key.refs.emplace_back(parts[4].substr(at, sp - at));
    at = sp + 1;
  }
  return key;
}

Needs thread_needs() {
  return Needs{.header = true,
               .fields = {"Message-ID", "References", "In-Reply-To", "Subject", "Date"},
               .cached_instead = kCachedThreadKey};
}

std::vector<ThreadNode> thread_ordered_subject(std::span<MessageAccess* const> messages, bool uid) {
  Gathered g = gather(messages, uid, false);
  const std::vector<Info>& infos = g.infos;
  std::vector<size_t> order(infos.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    int cmp = infos[a].subject.compare(infos[b].subject);
    return cmp != 0 ? cmp < 0 : earlier(infos[a], infos[b]);
  });
  std::vector<std::pair<size_t, ThreadNode>> threads;  // (first message, tree)
  for (size_t k = 0; k < order.size(); ++k) {
    const Info& info = infos[order[k]];
    if (k > 0 && infos[order[k - 1]].subject == info.subject) {
      threads.back().second.children.push_back(ThreadNode{info.id, {}});
    } else {
      threads.push_back({order[k], ThreadNode{info.id, {}}});
    }
  }
  std::stable_sort(threads.begin(), threads.end(), [&](const auto& a, const auto& b) {
    return earlier(infos[a.first], infos[b.first]);
  });
  std::vector<ThreadNode> out;
  for (auto& t : threads) out.push_back(std::move(t.second));
  return out;
}

std::vector<ThreadNode> thread_references(std::span<MessageAccess* const> messages, bool uid) {
  Gathered g = gather(messages, uid, true);
  return Threader(std::move(g.infos)).run();
}

Result<std::vector<ThreadNode>> thread(std::string_view algorithm,
                                       std::span<MessageAccess* const> messages, bool uid) {
  if (ascii::iequals(algorithm, "ORDEREDSUBJECT")) return thread_ordered_subject(messages, uid);
  if (ascii::iequals(algorithm, "REFERENCES")) return thread_references(messages, uid);
  return make_error(Errc::not_found, "unknown threading algorithm");
}

std::string format_thread(const std::vector<ThreadNode>& threads) {
  std::string out;
  for (const ThreadNode& t : threads) {
    out += '(';
    chain(t, out);
    out += ')';
  }
  return out;
}

}  // namespace courriel::search
