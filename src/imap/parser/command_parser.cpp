#include "imap/parser/command_parser.h"

#include <string>

#include "base/ascii.h"
#include "base/base64.h"
#include "imap/parser/command_reader.h"
#include "imap/parser/cursor.h"
#include "imap/parser/fetch_att_parser.h"
#include "imap/parser/search_key_parser.h"

namespace courriel::imap {
namespace {

// Each parser starts right after the command name and must consume the rest.
using ParseFn = bool (*)(Cursor&, Command&);

template <class T>
T& args(Command& cmd) {
  return cmd.args.emplace<T>();
}

// ---- Commands without arguments --------------------------------------------

bool parse_none(Cursor& c, Command& cmd) {
  args<NoArgs>(cmd);
  return c.end();
}

// ---- Not authenticated (RFC 9051 §6.2) -------------------------------------

bool parse_login(Cursor& c, Command& cmd) {
  auto& a = args<LoginArgs>(cmd);
  return c.sp("user name") && c.astring("user name", a.user) && c.sp("password") &&
         c.astring("password", a.password) && c.end();
}

// RFC 9051 §6.2.2, RFC 4959 §3: AUTHENTICATE SP auth-type [SP (base64 / "=")]
bool parse_authenticate(Cursor& c, Command& cmd) {
  auto& a = args<AuthenticateArgs>(cmd);
  if (!c.sp("authentication mechanism") || !c.keyword("authentication mechanism", a.mechanism))
    return false;
  if (c.at_end()) return true;
  if (!c.sp("initial response")) return false;
  if (c.consume('=')) {
    a.initial_response.emplace();
    return c.end();
  }
  std::string text;
  if (!c.atom("initial response", text)) return false;
  auto decoded = base64::decode(text);
  if (!decoded) return c.fail("Invalid base64 in the initial response");
  a.initial_response = std::move(*decoded);
  return c.end();
}

// RFC 5161 §3.1: ENABLE 1*(SP capability)
bool parse_enable(Cursor& c, Command& cmd) {
  auto& a = args<EnableArgs>(cmd);
  do {
    std::string cap;
    if (!c.sp("capability") || !c.keyword("capability", cap)) return false;
    a.capabilities.push_back(std::move(cap));
  } while (!c.at_end());
  return true;
}

// RFC 2971 §4: ID SP ("(" *(string SP nstring) ")" / NIL), with the §3.3 limits.
bool parse_id(Cursor& c, Command& cmd) {
  auto& a = args<IdArgs>(cmd);
  if (!c.sp("ID parameters")) return false;
  if (c.take_keyword("NIL")) return c.end();
  a.params.emplace();
  auto& params = *a.params;
  bool ok = c.paren_list("ID parameter list", true, [&] {
    IdArgs::Param p;
    if (!c.string("ID field name", p.first) || !c.sp("ID field value") ||
        !c.nstring("ID field value", p.second))
      return false;
    if (p.first.size() > 30) return c.fail("ID field name longer than 30 octets");
    if (p.second && p.second->size() > 1024) return c.fail("ID value longer than 1024 octets");
    if (params.size() == 30) return c.fail("More than 30 ID field-value pairs");
    for (const auto& q : params)
      if (ascii::iequals(q.first, p.first)) return c.fail("Duplicate ID field " + p.first);
    params.push_back(std::move(p));
    return true;
  });
  return ok && c.end();
}

// ---- Authenticated (RFC 9051 §6.3) -----------------------------------------

// RFC 7162 §3.2.5: "(" uidvalidity SP mod-sequence-value [SP known-uids]
// [SP seq-match-data] ")"; known-uids never contain "*".
bool parse_qresync(Cursor& c, QresyncParams& q) {
  auto no_star = [&](const SequenceSet& s) {
    for (const SeqRange& r : s.ranges)
      if (r.first == SeqRange::kStar || r.last == SeqRange::kStar)
        return c.fail("Invalid QRESYNC parameters (* is not allowed)");
    return true;
  };
  auto seq_match = [&] {
    auto& m = q.seq_match.emplace();
    if (!c.consume('(') || !c.sequence_set(m.first, false) || !no_star(m.first) ||
        !c.sp("known UIDs") || !c.sequence_set(m.second, false) || !no_star(m.second) ||
        !c.consume(')'))
      return c.fail("Invalid QRESYNC sequence match data");
    return true;
  };
  if (!c.consume('(')) return c.fail("Expected ( after QRESYNC");
  if (!c.nz_number("UIDVALIDITY", q.uidvalidity) || !c.sp("mod-sequence") ||
      !c.mod_sequence("mod-sequence", q.modseq, false))
    return false;
  if (c.consume(' ')) {
    if (c.peek('(')) {
      if (!seq_match()) return false;
    } else {
      auto& known = q.known_uids.emplace();
      if (!c.sequence_set(known, false) || !no_star(known)) return false;
      if (c.consume(' ') && !seq_match()) return false;
    }
  }
  if (!c.consume(')')) return c.fail("Invalid QRESYNC parameters");
  return true;
}

// SELECT/EXAMINE mailbox [SP "(" select-param *(SP select-param) ")"] (RFC 4466 §2.1)
bool parse_select(Cursor& c, Command& cmd) {
  auto& a = args<SelectArgs>(cmd);
  if (!c.sp("mailbox name") || !c.mailbox("mailbox name", a.mailbox)) return false;
  if (c.at_end()) return true;
  if (!c.sp("select parameters")) return false;
  bool ok = c.paren_list("select parameters", false, [&] {
    std::string p;
    if (!c.keyword("select parameter", p)) return false;
    if (p == "CONDSTORE") {
      a.condstore = true;
      return true;
    }
    if (p == "QRESYNC") {
      if (a.qresync) return c.fail("QRESYNC given twice");
      return c.sp("QRESYNC parameters") && parse_qresync(c, a.qresync.emplace());
    }
    return c.fail("Unknown select parameter " + p);
  });
  return ok && c.end();
}

// RFC 6154 §6: CREATE mailbox [SP "(" "USE" SP "(" use-attr *(SP use-attr) ")" ")"]
bool parse_create(Cursor& c, Command& cmd) {
  auto& a = args<CreateArgs>(cmd);
  if (!c.sp("mailbox name") || !c.mailbox("mailbox name", a.mailbox)) return false;
  if (c.at_end()) return true;
  if (!c.sp("create parameters")) return false;
  bool ok = c.paren_list("create parameters", false, [&] {
    std::string p;
    if (!c.keyword("create parameter", p)) return false;
    if (p != "USE") return c.fail("Unknown create parameter " + p);
    if (!c.sp("special-use attributes")) return false;
    return c.paren_list("special-use attributes", false, [&] {
      static constexpr std::string_view kUses[] = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
                                                   "\\Junk", "\\Sent",    "\\Trash"};
      if (!c.consume('\\')) return c.fail("Invalid special-use attribute");
      std::string_view name = c.atom_chars();
      for (std::string_view u : kUses) {
        if (ascii::iequals(name, u.substr(1))) {
          a.special_use.emplace_back(u);
          return true;
        }
      }
      return c.fail("Unknown special-use attribute \\" + std::string(name));
    });
  });
  return ok && c.end();
}

bool parse_mailbox_only(Cursor& c, Command& cmd) {
  auto& a = args<MailboxArgs>(cmd);
  return c.sp("mailbox name") && c.mailbox("mailbox name", a.mailbox) && c.end();
}

bool parse_rename(Cursor& c, Command& cmd) {
  auto& a = args<RenameArgs>(cmd);
  return c.sp("mailbox name") && c.mailbox("mailbox name", a.from) && c.sp("new mailbox name") &&
         c.mailbox("new mailbox name", a.to) && c.end();
}

// status-att (RFC 9051 §9 plus the extensions of StatusItem).
bool status_item(Cursor& c, std::vector<StatusItem>& items) {
  struct Item {
    std::string_view name;
    StatusItem item;
  };
  static constexpr Item kItems[] = {
      {"MESSAGES", StatusItem::messages},       {"UIDNEXT", StatusItem::uidnext},
      {"UIDVALIDITY", StatusItem::uidvalidity}, {"UNSEEN", StatusItem::unseen},
      {"DELETED", StatusItem::deleted},         {"SIZE", StatusItem::size},
      {"RECENT", StatusItem::recent},           {"HIGHESTMODSEQ", StatusItem::highestmodseq},
      {"APPENDLIMIT", StatusItem::appendlimit},
  };
  std::string name;
  if (!c.keyword("status item", name)) return false;
  for (const Item& i : kItems) {
    if (name == i.name) {
      items.push_back(i.item);
      return true;
    }
  }
  return c.fail("Unknown status item " + name);
}

bool status_items(Cursor& c, std::vector<StatusItem>& items) {
  return c.paren_list("status items", false, [&] { return status_item(c, items); });
}

bool parse_status(Cursor& c, Command& cmd) {
  auto& a = args<StatusArgs>(cmd);
  return c.sp("mailbox name") && c.mailbox("mailbox name", a.mailbox) && c.sp("status items") &&
         status_items(c, a.items) && c.end();
}

// RFC 5258 §6: LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
bool parse_list(Cursor& c, Command& cmd) {
  auto& a = args<ListArgs>(cmd);
  if (!c.sp("mailbox reference")) return false;
  if (c.peek('(')) {
    a.extended = true;
    bool ok = c.paren_list("selection options", true, [&] {
      std::string o;
      if (!c.keyword("selection option", o)) return false;
      if (o == "SUBSCRIBED") {
        a.select_subscribed = true;
      } else if (o == "REMOTE") {
        a.select_remote = true;
      } else if (o == "RECURSIVEMATCH") {
        a.select_recursive_match = true;
      } else if (o == "SPECIAL-USE") {
        a.select_special_use = true;
      } else {
        return c.fail("Unknown selection option " + o);
      }
      return true;
    });
    if (!ok || !c.sp("mailbox reference")) return false;
    // RFC 5258 §3: RECURSIVEMATCH alone is an error.
    if (a.select_recursive_match && !a.select_subscribed && !a.select_special_use)
      return c.fail("RECURSIVEMATCH needs another selection option");
  }
  if (!c.astring("mailbox reference", a.reference) || !c.sp("mailbox pattern")) return false;
  if (c.peek('(')) {
    a.extended = true;
    bool ok = c.paren_list("mailbox patterns", false, [&] {
      a.patterns.emplace_back();
      return c.list_mailbox("mailbox pattern", a.patterns.back());
    });
    if (!ok) return false;
  } else {
    a.patterns.emplace_back();
    if (!c.list_mailbox("mailbox pattern", a.patterns.back())) return false;
  }
  if (c.at_end()) return true;
  if (!c.sp("return options")) return false;
  if (!c.take_keyword("RETURN")) return c.fail("Expected RETURN options");
  a.extended = true;
  if (!c.sp("return options")) return false;
  bool ok = c.paren_list("return options", true, [&] {
    std::string o;
    if (!c.keyword("return option", o)) return false;
    if (o == "SUBSCRIBED") {
      a.return_subscribed = true;
    } else if (o == "CHILDREN") {
      a.return_children = true;
    } else if (o == "SPECIAL-USE") {
      a.return_special_use = true;
    } else if (o == "STATUS") {
      // RFC 5819 §2
      if (a.return_status) return c.fail("STATUS given twice");
      return c.sp("status items") && status_items(c, a.return_status.emplace());
    } else {
      return c.fail("Unknown return option " + o);
    }
    return true;
  });
  return ok && c.end();
}

bool parse_lsub(Cursor& c, Command& cmd) {
  auto& a = args<ListArgs>(cmd);
  a.patterns.emplace_back();
  return c.sp("mailbox reference") && c.astring("mailbox reference", a.reference) &&
         c.sp("mailbox pattern") && c.list_mailbox("mailbox pattern", a.patterns.back()) && c.end();
}

// RFC 3502 §6.3.11 / RFC 9051: APPEND mailbox 1*(SP [flag-list SP] [date-time SP] append-data)
// append-data = literal / literal8 / "UTF8" SP "(" literal8 ")" (RFC 6855 §4).
// One message's data: a streamed literal's header, or a kept literal.
bool append_data(Cursor& c, AppendMessage& m, bool allow_nul) {
  if (c.at_streamed_literal()) {
    m.streamed = true;
    return c.streamed_literal(m.size, m.binary, m.stream_index);
  }
  if (!c.literal(m.data, true, &m.binary, allow_nul)) return false;
  m.size = m.data.size();
  return true;
}

bool parse_append(Cursor& c, Command& cmd) {
  auto& a = args<AppendArgs>(cmd);
  if (!c.sp("mailbox name") || !c.mailbox("mailbox name", a.mailbox)) return false;
  do {
    AppendMessage& m = a.messages.emplace_back();
    if (!c.sp("message literal")) return false;
    if (c.peek('(')) {
      if (!c.flag_list(m.flags) || !c.sp("message literal")) return false;
    }
    if (c.peek('"')) {
      if (!c.date_time(m.internal_date.emplace()) || !c.sp("message literal")) return false;
    }
    if (c.take_keyword("UTF8")) {
      m.utf8 = true;
      if (!c.sp("message literal") || !c.consume('(')) return c.fail("Expected ( after UTF8");
      if (!c.peek('~')) return c.fail("UTF8 needs a literal8");
      if (!append_data(c, m, false) || !c.consume(')'))
        return c.fail("Invalid UTF8 message data");
      continue;
    }
    if (!c.peek('{') && !c.peek('~')) return c.fail("Expected a message literal");
    // NUL accepted in plain literals here: real clients upload such messages
    // and refusing them loses mail; the store keeps bytes as they are.
    if (!append_data(c, m, true)) return false;
  } while (!c.at_end());
  return true;
}

// ---- Selected (RFC 9051 §6.4) ----------------------------------------------

// SEARCH [SP "RETURN" SP "(" ... ")"] SP ["CHARSET" SP charset SP] search-key *(SP search-key)
bool search_prefix(Cursor& c, std::optional<SearchReturn>& ret) {
  if (!c.sp("search key")) return false;
  if (c.take_keyword("RETURN")) {
    if (!c.sp("RETURN options") || !parse_search_return(c, ret.emplace())) return false;
    if (!c.sp("search key")) return false;
  }
  return true;
}

bool parse_search(Cursor& c, Command& cmd) {
  auto& a = args<SearchArgs>(cmd);
  if (!search_prefix(c, a.ret)) return false;
  if (c.take_keyword("CHARSET")) {
    a.charset.emplace();
    if (!c.sp("charset") || !c.astring("charset", *a.charset) || !c.sp("search key")) return false;
  }
  return parse_search_keys(c, a.key);
}

// FETCH sequence-set SP atts [SP "(" fetch-modifier *(SP fetch-modifier) ")"]
bool parse_fetch(Cursor& c, Command& cmd) {
  auto& a = args<FetchArgs>(cmd);
  if (!c.sp("sequence set") || !c.sequence_set(a.set) || !c.sp("fetch attributes") ||
      !parse_fetch_atts(c, a.atts))
    return false;
  if (c.at_end()) return true;
  if (!c.sp("fetch modifiers")) return false;
  bool ok = c.paren_list("fetch modifiers", false, [&] {
    std::string m;
    if (!c.keyword("fetch modifier", m)) return false;
    if (m == "CHANGEDSINCE") {
      // RFC 7162 §3.1.4.1
      return c.sp("mod-sequence") &&
             c.mod_sequence("mod-sequence", a.changed_since.emplace(), false);
    }
    if (m == "VANISHED") {
      a.vanished = true;
      return true;
    }
    return c.fail("Unknown fetch modifier " + m);
  });
  if (!ok || !c.end()) return false;
  // RFC 7162 §3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE.
  if (a.vanished && (!cmd.uid || !a.changed_since))
    return c.fail("VANISHED needs UID FETCH with CHANGEDSINCE");
  return true;
}

// STORE sequence-set [SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"]
//       SP ["+" / "-"] "FLAGS" [".SILENT"] SP (flag-list / (flag *(SP flag)))
bool parse_store(Cursor& c, Command& cmd) {
  auto& a = args<StoreArgs>(cmd);
  if (!c.sp("sequence set") || !c.sequence_set(a.set) || !c.sp("store attribute")) return false;
  if (c.peek('(')) {
    bool ok = c.paren_list("store modifiers", false, [&] {
      std::string m;
      if (!c.keyword("store modifier", m)) return false;
      if (m != "UNCHANGEDSINCE") return c.fail("Unknown store modifier " + m);
      return c.sp("mod-sequence") &&
             c.mod_sequence("mod-sequence", a.unchanged_since.emplace(), true);
    });
    if (!ok || !c.sp("store attribute")) return false;
  }
  if (c.consume('+')) {
    a.op = StoreArgs::Op::add;
  } else if (c.consume('-')) {
    a.op = StoreArgs::Op::remove;
  }
  std::string item;
  if (!c.keyword("store attribute", item)) return false;
  if (item == "FLAGS.SILENT") {
    a.silent = true;
  } else if (item != "FLAGS") {
    return c.fail("Invalid store attribute " + item);
  }
  if (!c.sp("flags")) return false;
  if (c.peek('(')) return c.flag_list(a.flags) && c.end();
  for (;;) {
    std::string f;
    if (!c.flag(f)) return false;
    a.flags.push_back(std::move(f));
    if (c.at_end()) return true;
    if (!c.sp("flag")) return false;
  }
}

bool parse_copy(Cursor& c, Command& cmd) {
  auto& a = args<CopyArgs>(cmd);
  return c.sp("sequence set") && c.sequence_set(a.set) && c.sp("mailbox name") &&
         c.mailbox("mailbox name", a.mailbox) && c.end();
}

// EXPUNGE, or UID EXPUNGE sequence-set (RFC 4315 §2.1).
bool parse_expunge(Cursor& c, Command& cmd) {
  if (!cmd.uid) return parse_none(c, cmd);
  auto& a = args<UidExpungeArgs>(cmd);
  return c.sp("UID set") && c.sequence_set(a.set) && c.end();
}

// RFC 5256 §5 / RFC 5267 §3: SORT [search-return-opts] SP sort-criteria SP charset
//   1*(SP search-key)
bool parse_sort(Cursor& c, Command& cmd) {
  auto& a = args<SortArgs>(cmd);
  if (!c.sp("sort criteria")) return false;
  if (c.take_keyword("RETURN")) {
    if (!c.sp("RETURN options") || !parse_search_return(c, a.ret.emplace()) ||
        !c.sp("sort criteria"))
      return false;
  }
  bool ok = c.paren_list("sort criteria", false, [&] {
    struct Key {
      std::string_view name;
      SortCriterion::Key key;
    };
    static constexpr Key kKeys[] = {
        {"ARRIVAL", SortCriterion::Key::arrival},
        {"CC", SortCriterion::Key::cc},
        {"DATE", SortCriterion::Key::date},
        {"FROM", SortCriterion::Key::from},
        {"SIZE", SortCriterion::Key::size},
        {"SUBJECT", SortCriterion::Key::subject},
        {"TO", SortCriterion::Key::to},
        {"DISPLAYFROM", SortCriterion::Key::display_from},  // RFC 5957
        {"DISPLAYTO", SortCriterion::Key::display_to},
    };
    SortCriterion crit;
    std::string k;
    if (!c.keyword("sort key", k)) return false;
    if (k == "REVERSE") {
      crit.reverse = true;
      if (!c.sp("sort key") || !c.keyword("sort key", k)) return false;
    }
    for (const Key& key : kKeys) {
      if (k == key.name) {
        crit.key = key.key;
        a.criteria.push_back(crit);
        return true;
      }
    }
    return c.fail("Unknown sort key " + k);
  });
  return ok && c.sp("charset") && c.astring("charset", a.charset) && c.sp("search key") &&
         parse_search_keys(c, a.key);
}

// RFC 5256 §5: THREAD SP thread-alg SP search-criteria
bool parse_thread(Cursor& c, Command& cmd) {
  auto& a = args<ThreadArgs>(cmd);
  return c.sp("threading algorithm") && c.keyword("threading algorithm", a.algorithm) &&
         c.sp("charset") && c.astring("charset", a.charset) && c.sp("search key") &&
         parse_search_keys(c, a.key);
}

// ---- Quota (RFC 9208), ACL (RFC 4314), COMPRESS (RFC 4978), METADATA (RFC 5464)

bool parse_getquota(Cursor& c, Command& cmd) {
  auto& a = args<QuotaRootArgs>(cmd);
  return c.sp("quota root") && c.astring("quota root", a.root) && c.end();
}

// SETQUOTA quota-root SP "(" [resource-name SP resource-limit *(SP ...)] ")"
bool parse_setquota(Cursor& c, Command& cmd) {
  auto& a = args<SetQuotaArgs>(cmd);
  if (!c.sp("quota root") || !c.astring("quota root", a.root) || !c.sp("quota limits"))
    return false;
  bool ok = c.paren_list("quota limits", true, [&] {
    auto& l = a.limits.emplace_back();
    return c.keyword("quota resource", l.first) && c.sp("quota limit") &&
           c.number64("quota limit", l.second);
  });
  return ok && c.end();
}

bool acl_head(Cursor& c, AclArgs& a) {
  return c.sp("mailbox name") && c.mailbox("mailbox name", a.mailbox) && c.sp("identifier") &&
         c.astring("identifier", a.identifier);
}

bool parse_setacl(Cursor& c, Command& cmd) {
  auto& a = args<AclArgs>(cmd);
  return acl_head(c, a) && c.sp("rights") && c.astring("rights", a.rights) && c.end();
}

bool parse_acl_identifier(Cursor& c, Command& cmd) {
  return acl_head(c, args<AclArgs>(cmd)) && c.end();
}

bool parse_compress(Cursor& c, Command& cmd) {
  auto& a = args<CompressArgs>(cmd);
  return c.sp("compression mechanism") && c.keyword("compression mechanism", a.mechanism) &&
         c.end();
}

// GETMETADATA [SP "(" option *(SP option) ")"] SP mailbox SP (entry / "(" entry *(SP entry) ")")
bool parse_getmetadata(Cursor& c, Command& cmd) {
  auto& a = args<GetMetadataArgs>(cmd);
  if (!c.sp("mailbox name")) return false;
  if (c.peek('(')) {
    bool ok = c.paren_list("metadata options", false, [&] {
      std::string o;
      if (!c.keyword("metadata option", o)) return false;
      if (o == "MAXSIZE") return c.sp("MAXSIZE") && c.number("MAXSIZE", a.max_size.emplace());
      if (o != "DEPTH") return c.fail("Unknown metadata option " + o);
      std::string d;
      if (!c.sp("DEPTH") || !c.keyword("DEPTH", d)) return false;
      if (d == "0") {
        a.depth = GetMetadataArgs::Depth::zero;
      } else if (d == "1") {
        a.depth = GetMetadataArgs::Depth::one;
      } else if (d == "INFINITY") {
        a.depth = GetMetadataArgs::Depth::infinity;
      } else {
        return c.fail("Invalid DEPTH");
      }
      return true;
    });
    if (!ok || !c.sp("mailbox name")) return false;
  }
  if (!c.mailbox("mailbox name", a.mailbox) || !c.sp("metadata entries")) return false;
  auto entry = [&] { return c.astring("metadata entry", a.entries.emplace_back()); };
  if (c.peek('(')) return c.paren_list("metadata entries", false, entry) && c.end();
  return entry() && c.end();
}

// SETMETADATA mailbox SP "(" entry SP value *(SP entry SP value) ")"; value = nstring / literal8
bool parse_setmetadata(Cursor& c, Command& cmd) {
  auto& a = args<SetMetadataArgs>(cmd);
  if (!c.sp("mailbox name") || !c.mailbox("mailbox name", a.mailbox) || !c.sp("metadata entries"))
    return false;
  bool ok = c.paren_list("metadata entries", false, [&] {
    auto& e = a.entries.emplace_back();
    if (!c.astring("metadata entry", e.first) || !c.sp("metadata value")) return false;
    if (c.peek('~')) return c.literal(e.second.emplace(), true);
    return c.nstring("metadata value", e.second);
  });
  return ok && c.end();
}

struct Spec {
  std::string_view name;
  CommandName cmd;
  ParseFn parse;
  bool uid = false;  // valid after "UID"
};

constexpr Spec kCommands[] = {
    {"CAPABILITY", CommandName::capability, parse_none},
    {"NOOP", CommandName::noop, parse_none},
    {"LOGOUT", CommandName::logout, parse_none},
    {"STARTTLS", CommandName::starttls, parse_none},
    {"AUTHENTICATE", CommandName::authenticate, parse_authenticate},
    {"LOGIN", CommandName::login, parse_login},
    {"ENABLE", CommandName::enable, parse_enable},
    {"ID", CommandName::id, parse_id},
    {"SELECT", CommandName::select, parse_select},
    {"EXAMINE", CommandName::examine, parse_select},
    {"CREATE", CommandName::create, parse_create},
    {"DELETE", CommandName::delete_, parse_mailbox_only},
    {"RENAME", CommandName::rename, parse_rename},
    {"SUBSCRIBE", CommandName::subscribe, parse_mailbox_only},
    {"UNSUBSCRIBE", CommandName::unsubscribe, parse_mailbox_only},
    {"LIST", CommandName::list, parse_list},
    {"LSUB", CommandName::lsub, parse_lsub},
    {"NAMESPACE", CommandName::namespace_, parse_none},
    {"STATUS", CommandName::status, parse_status},
    {"APPEND", CommandName::append, parse_append},
    {"CHECK", CommandName::check, parse_none},
    {"CLOSE", CommandName::close, parse_none},
    {"UNSELECT", CommandName::unselect, parse_none},
    {"EXPUNGE", CommandName::expunge, parse_expunge, true},
    {"SEARCH", CommandName::search, parse_search, true},
    {"FETCH", CommandName::fetch, parse_fetch, true},
    {"STORE", CommandName::store, parse_store, true},
    {"COPY", CommandName::copy, parse_copy, true},
    {"MOVE", CommandName::move, parse_copy, true},
    {"IDLE", CommandName::idle, parse_none},
    {"SORT", CommandName::sort, parse_sort, true},
    {"THREAD", CommandName::thread, parse_thread, true},
    {"GETQUOTA", CommandName::getquota, parse_getquota},
    {"GETQUOTAROOT", CommandName::getquotaroot, parse_mailbox_only},
    {"SETQUOTA", CommandName::setquota, parse_setquota},
    {"COMPRESS", CommandName::compress, parse_compress},
    {"GETACL", CommandName::getacl, parse_mailbox_only},
    {"SETACL", CommandName::setacl, parse_setacl},
    {"DELETEACL", CommandName::deleteacl, parse_acl_identifier},
    {"LISTRIGHTS", CommandName::listrights, parse_acl_identifier},
    {"MYRIGHTS", CommandName::myrights, parse_mailbox_only},
    {"GETMETADATA", CommandName::getmetadata, parse_getmetadata},
    {"SETMETADATA", CommandName::setmetadata, parse_setmetadata},
    {"UNAUTHENTICATE", CommandName::unauthenticate, parse_none},
};

const Spec* find_command(std::string_view upper_name) {
  for (const Spec& s : kCommands)
    if (s.name == upper_name) return &s;
  return nullptr;
}

}  // namespace

ParseOutcome parse_command(std::string_view bytes, const ParseOptions& opts) {
  ParseOutcome out;
  Cursor c(bytes, opts.utf8_accepted, opts.streamed_literals);
  if (bytes.empty()) {
    out.error = {"", "Empty command line"};
    return out;
  }
  // RFC 9051 §9: command = tag SP (command-any / command-auth / ...) CRLF
  std::string_view tag = c.tag_chars();
  if (tag.empty() || (!c.at_end() && !c.peek(' '))) {
    out.error = {"", "Invalid tag"};
    return out;
  }
  Command cmd;
  cmd.tag.assign(tag);
  std::string name;
  if (!c.sp("command name") || !c.keyword("command name", name)) {
    out.error = {cmd.tag, c.error()};
    return out;
  }
  cmd.name_text = name;
  if (name == "UID") {
    cmd.uid = true;
    if (!c.sp("command name after UID") || !c.keyword("command name after UID", name)) {
      out.error = {cmd.tag, c.error()};
      return out;
    }
    cmd.name_text += " " + name;
  }
  const Spec* spec = find_command(name);
  if (!spec || (cmd.uid && !spec->uid)) {
    // Not a parse error: the dispatcher answers "BAD Unknown command".
    cmd.name = CommandName::unknown;
    out.command = std::move(cmd);
    return out;
  }
  cmd.name = spec->cmd;
  if (!spec->parse(c, cmd)) {
    out.error = {cmd.tag, c.failed() ? c.error() : "Invalid arguments"};
    return out;
  }
  // Every streamed literal must have been read as an APPEND message.
  if (c.streamed_taken() != opts.streamed_literals.size()) {
    out.error = {cmd.tag, "Literal not allowed here"};
    return out;
  }
  out.command = std::move(cmd);
  return out;
}

bool is_append_prefix(std::string_view partial) {
  Cursor c(partial, false);
  return !c.tag_chars().empty() && c.consume(' ') && c.take_keyword("APPEND") && c.consume(' ');
}

bool announces_append_message(std::string_view partial, std::span<const size_t> streamed) {
  if (partial.ends_with("\r\n")) partial.remove_suffix(2);
  size_t header_len = 0;
  auto lit = literal_header_at_end(partial, &header_len);
  if (!lit) return false;
  const size_t header = partial.size() - header_len;
  // The header's own offset is not among `streamed`, so literal() below
  // would see it as a kept literal whose body is missing and fail: every path
  // that reaches it is tested with c.pos() == header first.
  Cursor c(partial, true, streamed);
  if (c.tag_chars().empty() || !c.sp("command name") || !c.take_keyword("APPEND")) return false;
  std::string mailbox;
  if (!c.sp("mailbox name") || c.pos() == header || !c.mailbox("mailbox name", mailbox))
    return false;
  for (;;) {
    if (!c.sp("message literal")) return false;
    if (c.pos() == header) return true;
    if (c.peek('(')) {
      FlagList flags;
      if (!c.flag_list(flags) || !c.sp("message literal")) return false;
      if (c.pos() == header) return true;
    }
    if (c.peek('"')) {
      DateTime date;
      if (!c.date_time(date) || !c.sp("message literal")) return false;
      if (c.pos() == header) return true;
    }
    AppendMessage m;
    if (c.take_keyword("UTF8")) {
      if (!c.sp("message literal") || !c.consume('(')) return false;
      if (c.pos() == header) return lit->binary;
      if (!c.peek('~') || !append_data(c, m, false) || !c.consume(')')) return false;
    } else if (!append_data(c, m, true)) {
      return false;
    }
    if (c.pos() >= header) return false;
  }
}

}  // namespace courriel::imap
