// Which mailbox names a LIST or LSUB returns, and with which attributes
// (RFC 3501 §6.3.8-9, RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED, RFC 3348
// CHILDREN, RFC 6154 SPECIAL-USE). Pure: it works on the store's list of
// mailboxes and subscriptions and formats the untagged responses; the LIST
// handler (commands/list.cpp) fetches the list and adds STATUS (RFC 5819).
//
// The hierarchy is that of the names: a name with a descendant mailbox but no
// mailbox of its own (a Maildir++ folder ".a.b" without ".a") is an implicit
// parent, listed as \Noselect (\NonExistent in extended responses), as
// RFC 3501 §6.3.8 asks for "%".
//
// Decisions (documented where a client might notice):
// - \HasChildren / \HasNoChildren are always returned (RFC 5258 §4 allows it;
//   IMAP4rev2 requires it), except \HasNoChildren on \NonExistent names.
// - Special-use attributes are always returned on existing mailboxes, as
//   Dovecot does (RFC 6154 §2 allows it on any LIST).
// - With RECURSIVEMATCH, every matching name with a descendant that meets the
//   selection criteria gets CHILDINFO, even when that descendant is listed
//   too (RFC 5258 §5 example 9 shows both forms as valid).
// - LSUB lists subscribed names; an unsubscribed name is listed \Noselect
//   only when it matches and has a subscribed descendant that does not
//   (RFC 3501 §6.3.9, the "%" case).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace courriel::imap {

struct ListQuery {
  std::vector<std::string> patterns;  // canonical (reference joined), UTF-8
  bool lsub = false;                  // LSUB rather than LIST
  bool extended = false;              // RFC 5258 syntax used: extended responses
  bool select_subscribed = false;
  bool select_special_use = false;
  bool recursive_match = false;
  bool return_subscribed = false;  // \Subscribed on every listed name
};

struct ListItem {
  std::string name;           // UTF-8
  bool exists = false;        // false: implicit parent or subscription only
  bool has_children = false;  // an existing mailbox below it
  bool subscribed = false;
  uint8_t special_use = 0;     // store::SpecialUse bits, existing mailboxes only
  bool child_info = false;     // RFC 5258 §3.5 CHILDINFO (RECURSIVEMATCH only)
  bool lsub_noselect = false;  // LSUB: not subscribed, has subscribed descendants
};

// The items to list, INBOX first, then by name (bytewise). `mailboxes` is
// store::Account::list(): every mailbox and every subscription.
std::vector<ListItem> list_select(std::span<const store::MailboxInfo> mailboxes,
                                  const ListQuery& query, char sep);

// "* LIST (<attributes>) "/" <name>[ <extended data>]\r\n", or "* LSUB ...".
void append_list_response(std::string& out, const ListItem& item, const ListQuery& query, char sep,
                          bool utf8);

// "\Drafts \Sent" for special-use bits, in RFC 6154 order; "" for none.
std::string special_use_names(uint8_t bits);
// The bit of one attribute ("\Sent", any case), 0 if unknown.
uint8_t special_use_bit(std::string_view attribute);

}  // namespace courriel::imap
