#include "search/sort.h"

#include <algorithm>
#include <numeric>

#include "mail/decode.h"
#include "mail/subject.h"
#include "search/casemap.h"
#include "search/date.h"
#include "search/thread.h"

namespace courriel::search {
namespace {

using Key = imap::SortCriterion::Key;

// The first real address: group start/end markers have no host.
const mail::Address* first_address(const std::vector<mail::Address>& list) {
  for (const mail::Address& a : list) {
    if (a.host) return &a;
  }
  return nullptr;
}

std::string first_mailbox(const std::vector<mail::Address>& list) {
  const mail::Address* a = first_address(list);
  return a && a->mailbox ? casemap(*a->mailbox) : std::string();
}

struct Value {
  int64_t num = 0;
  std::string str;
};

Value value_of(Key key, MessageAccess& m) {
  Value v;
  switch (key) {
    case Key::arrival:
      v.num = m.meta().internal_date;
      break;
    case Key::size:
      v.num = static_cast<int64_t>(m.meta().size);
      break;
    case Key::date:
      // From the cached thread key, else the header block: never the structure.
      if (auto text = m.cached(kCachedThreadKey)) {
        if (auto date = decode_thread_key_date(*text)) {
          v.num = date->value_or(m.meta().internal_date);
          break;
        }
      }
      v.num = sent_date(m.header(), m.meta());
      break;
    case Key::cc:
      v.str = first_mailbox(m.parsed().envelope.cc);
      break;
    case Key::from:
      v.str = first_mailbox(m.parsed().envelope.from);
      break;
    case Key::to:
      v.str = first_mailbox(m.parsed().envelope.to);
      break;
    case Key::subject: {
      // The thread key's subject is this value (base subject, casemapped):
      // cached, else made from the Subject field alone.
      std::optional<ThreadKey> key;
      if (auto text = m.cached(kCachedThreadKey)) key = decode_thread_key(*text);
      if (!key) key = thread_key(m.header());
      v.str = std::move(key->subject);
      break;
    }
    case Key::display_from:
      v.str = casemap(display_value(m.parsed().envelope.from));
      break;
    case Key::display_to:
      v.str = casemap(display_value(m.parsed().envelope.to));
      break;
  }
  return v;
}

bool is_numeric(Key key) { return key == Key::arrival || key == Key::size || key == Key::date; }

}  // namespace

std::string display_value(const std::vector<mail::Address>& addresses) {
  const mail::Address* a = first_address(addresses);
  if (!a) return {};
  if (a->name) {
    std::string name = mail::decode_header_text(*a->name);
    if (!name.empty()) return name;
  }
  if (a->mailbox && a->host) return *a->mailbox + "@" + *a->host;
  if (a->mailbox) return *a->mailbox;
  return {};
}

std::vector<size_t> sort_order(const std::vector<imap::SortCriterion>& criteria,
                               std::span<MessageAccess* const> messages) {
  const size_t n = messages.size(), k = criteria.size();
  if (k == 1 && is_numeric(criteria[0].key)) {
    // One number per message (DATE, ARRIVAL, SIZE: what clients sort by):
    // sorted as compact (value, seq, index) rows.
    struct Row {
      int64_t num;
      uint32_t seq;
      uint32_t index;
    };
    std::vector<Row> rows(n);
    for (size_t i = 0; i < n; ++i)
      rows[i] = {value_of(criteria[0].key, *messages[i]).num, messages[i]->seq(), uint32_t(i)};
    bool reverse = criteria[0].reverse;
    std::sort(rows.begin(), rows.end(), [reverse](const Row& a, const Row& b) {
      if (a.num != b.num) return reverse ? a.num > b.num : a.num < b.num;
      return a.seq < b.seq;  // ties in sequence order, REVERSE or not (RFC 5256 §3)
    });
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = rows[i].index;
    return order;
  }
  std::vector<Value> values(n * k);
  std::vector<uint32_t> seqs(n);
  for (size_t i = 0; i < n; ++i) {
    seqs[i] = messages[i]->seq();
    for (size_t c = 0; c < k; ++c) values[i * k + c] = value_of(criteria[c].key, *messages[i]);
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    for (size_t c = 0; c < k; ++c) {
      const Value& va = values[a * k + c];
      const Value& vb = values[b * k + c];
      int cmp;
      if (is_numeric(criteria[c].key)) {
        cmp = va.num < vb.num ? -1 : va.num > vb.num ? 1 : 0;
      } else {
        cmp = va.str.compare(vb.str);
      }
      if (cmp != 0) return criteria[c].reverse ? cmp > 0 : cmp < 0;
    }
    return seqs[a] < seqs[b];
  });
  return order;
}

std::vector<uint32_t> sort(const std::vector<imap::SortCriterion>& criteria,
                           std::span<MessageAccess* const> messages, bool uid) {
  std::vector<uint32_t> out;
  out.reserve(messages.size());
  for (size_t i : sort_order(criteria, messages)) {
    out.push_back(uid ? messages[i]->meta().uid : messages[i]->seq());
  }
  return out;
}

Needs sort_needs(const std::vector<imap::SortCriterion>& criteria) {
  Needs needs;
  bool key = false, subject = false;  // the cached thread key serves DATE and SUBJECT
  for (const imap::SortCriterion& c : criteria) {
    if (c.key == Key::date || c.key == Key::subject) {
      needs.header = key = true;
      subject = subject || c.key == Key::subject;
      needs.fields.push_back(c.key == Key::date ? "Date" : "Subject");
    } else if (c.key != Key::arrival && c.key != Key::size) {
      needs.parsed = true;
    }
  }
  if (key) {
    needs.cached_instead = kCachedThreadKey;
    needs.cached_lines = subject ? 0 : 1;  // DATE alone reads the first line
  }
  return needs;
}

}  // namespace courriel::search
