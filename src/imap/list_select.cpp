#include "imap/list_select.h"

#include <algorithm>
#include <map>

#include "base/ascii.h"
#include "imap/list_match.h"
#include "imap/parser/response_syntax.h"

namespace courriel::imap {
namespace {

struct SpecialUseName {
  uint8_t bit;
  std::string_view name;
};
// RFC 6154 §2 order.
constexpr SpecialUseName kSpecialUses[] = {
    {store::kAll, "\\All"},       {store::kArchive, "\\Archive"},
    {store::kDrafts, "\\Drafts"}, {store::kFlaggedUse, "\\Flagged"},
    {store::kJunk, "\\Junk"},     {store::kSent, "\\Sent"},
    {store::kTrash, "\\Trash"},
};

struct Node {
  bool exists = false;
  bool has_children = false;
  bool subscribed = false;
  uint8_t special_use = 0;
  bool meets = false;                       // meets the selection criteria
  bool descendant_meets = false;            // some descendant does
  bool unmatched_descendant_meets = false;  // ... one that matches no pattern
  bool matches = false;
};

// Calls f(parent) for every proper ancestor of `name` ("a/b/c": "a", "a/b").
template <class F>
void for_each_ancestor(std::string_view name, char sep, F&& f) {
  for (size_t i = name.find(sep); i != std::string_view::npos; i = name.find(sep, i + 1))
    if (i > 0) f(name.substr(0, i));
}

}  // namespace

std::vector<ListItem> list_select(std::span<const store::MailboxInfo> mailboxes,
                                  const ListQuery& query, char sep) {
  std::map<std::string, Node, std::less<>> nodes;
  auto node = [&](std::string_view name) -> Node& {
    auto it = nodes.find(name);
    if (it == nodes.end()) it = nodes.emplace(std::string(name), Node{}).first;
    return it->second;
  };
  for (const store::MailboxInfo& m : mailboxes) {
    if (m.name.empty()) continue;
    Node& n = node(m.name);
    n.subscribed = n.subscribed || m.subscribed;
    if (m.exists) {
      n.exists = true;
      n.special_use |= m.special_use;
      for_each_ancestor(m.name, sep, [&](std::string_view p) { node(p).has_children = true; });
    } else {
      // A subscription only: its ancestors matter to LSUB and RECURSIVEMATCH.
      for_each_ancestor(m.name, sep, [&](std::string_view p) { node(p); });
    }
  }

  auto matches_any = [&](std::string_view name) {
    for (const std::string& p : query.patterns)
      if (list_match(p, name, sep)) return true;
    return false;
  };
  for (auto& [name, n] : nodes) {
    if (query.lsub) {
      n.meets = n.subscribed;
    } else {
      bool listed = query.select_subscribed ? n.subscribed : (n.exists || n.has_children);
      n.meets = listed && (!query.select_special_use || (n.exists && n.special_use != 0));
    }
    n.matches = matches_any(name);
  }
  for (auto& [name, n] : nodes) {
    if (!n.meets) continue;
    for_each_ancestor(name, sep, [&](std::string_view p) {
      Node& a = node(p);  // exists: every ancestor got a node above
      a.descendant_meets = true;
      if (!n.matches) a.unmatched_descendant_meets = true;
    });
  }

  std::vector<ListItem> items;
  for (const auto& [name, n] : nodes) {
    if (!n.matches) continue;
    ListItem item{name, n.exists, n.has_children, n.subscribed,
                  n.exists ? n.special_use : uint8_t(0)};
    if (query.lsub) {
      if (!n.meets) {
        if (!n.unmatched_descendant_meets) continue;
        item.lsub_noselect = true;
      }
    } else if (query.recursive_match && n.descendant_meets) {
      item.child_info = true;  // RFC 5258 §3.5, whether or not n meets the criteria
    } else if (!n.meets) {
      continue;
    }
    items.push_back(std::move(item));
  }
  std::stable_partition(items.begin(), items.end(),
                        [](const ListItem& i) { return i.name == "INBOX"; });
  return items;
}

void append_list_response(std::string& out, const ListItem& item, const ListQuery& query, char sep,
                          bool utf8) {
  std::string attrs;
  auto add = [&](std::string_view a) {
    if (!attrs.empty()) attrs += ' ';
    attrs += a;
  };
  if (query.lsub) {
    if (item.lsub_noselect) add("\\Noselect");
  } else {
    if (!item.exists) add(query.extended ? "\\NonExistent" : "\\Noselect");
    if (item.subscribed && (query.select_subscribed || query.return_subscribed))
      add("\\Subscribed");
    if (item.has_children) {
      add("\\HasChildren");
    } else if (item.exists) {
      add("\\HasNoChildren");
    }
    if (item.special_use) add(special_use_names(item.special_use));
  }
  out += query.lsub ? "* LSUB (" : "* LIST (";
  out += attrs;
  out += ") \"";
  out += sep;
  out += "\" ";
  append_mailbox(out, item.name, utf8);
  if (item.child_info && query.extended) {
    out += " (\"CHILDINFO\" (";
    if (query.select_subscribed) out += "\"SUBSCRIBED\"";
    if (query.select_special_use)
      out += query.select_subscribed ? " \"SPECIAL-USE\"" : "\"SPECIAL-USE\"";
    out += "))";
  }
  out += "\r\n";
}

std::string special_use_names(uint8_t bits) {
  std::string out;
  for (const SpecialUseName& u : kSpecialUses) {
    if (!(bits & u.bit)) continue;
    if (!out.empty()) out += ' ';
    out += u.name;
  }
  return out;
}

uint8_t special_use_bit(std::string_view attribute) {
  for (const SpecialUseName& u : kSpecialUses)
    if (ascii::iequals(attribute, u.name)) return u.bit;
  return 0;
}

}  // namespace courriel::imap
