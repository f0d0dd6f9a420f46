#include "imap/parser/search_key_parser.h"

#include <string>

#include "base/ascii.h"

namespace courriel::imap {
namespace {

using Kind = SearchKey::Kind;

// What follows a search key's name.
enum class Arg { none, astring, keyword, date, number, nz_number, header, not_, or_, uid, modseq };

struct KeySpec {
  std::string_view name;
  Kind kind;
  Arg arg;
};

// RFC 3501 §6.4.4 and RFC 9051 §6.4.4; MODSEQ RFC 7162 §3.1.5; OLDER/YOUNGER RFC 5032.
constexpr KeySpec kKeys[] = {
    {"ALL", Kind::all, Arg::none},
    {"ANSWERED", Kind::answered, Arg::none},
    {"BCC", Kind::bcc, Arg::astring},
    {"BEFORE", Kind::before, Arg::date},
    {"BODY", Kind::body, Arg::astring},
    {"CC", Kind::cc, Arg::astring},
    {"DELETED", Kind::deleted, Arg::none},
    {"DRAFT", Kind::draft, Arg::none},
    {"FLAGGED", Kind::flagged, Arg::none},
    {"FROM", Kind::from, Arg::astring},
    {"HEADER", Kind::header, Arg::header},
    {"KEYWORD", Kind::keyword, Arg::keyword},
    {"LARGER", Kind::larger, Arg::number},
    {"NEW", Kind::new_, Arg::none},
    {"NOT", Kind::not_, Arg::not_},
    {"OLD", Kind::old, Arg::none},
    {"ON", Kind::on, Arg::date},
    {"OR", Kind::or_, Arg::or_},
    {"RECENT", Kind::recent, Arg::none},
    {"SEEN", Kind::seen, Arg::none},
    {"SENTBEFORE", Kind::sentbefore, Arg::date},
    {"SENTON", Kind::senton, Arg::date},
    {"SENTSINCE", Kind::sentsince, Arg::date},
    {"SINCE", Kind::since, Arg::date},
    {"SMALLER", Kind::smaller, Arg::number},
    {"SUBJECT", Kind::subject, Arg::astring},
    {"TEXT", Kind::text, Arg::astring},
    {"TO", Kind::to, Arg::astring},
    {"UID", Kind::uid, Arg::uid},
    {"UNANSWERED", Kind::unanswered, Arg::none},
    {"UNDELETED", Kind::undeleted, Arg::none},
    {"UNDRAFT", Kind::undraft, Arg::none},
    {"UNFLAGGED", Kind::unflagged, Arg::none},
    {"UNKEYWORD", Kind::unkeyword, Arg::keyword},
    {"UNSEEN", Kind::unseen, Arg::none},
    {"MODSEQ", Kind::modseq, Arg::modseq},
    {"OLDER", Kind::older, Arg::nz_number},
    {"YOUNGER", Kind::younger, Arg::nz_number},
};

// RFC 7162 §3.1.5: MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer
bool parse_modseq(Cursor& c, SearchKey& out) {
  if (!c.sp("MODSEQ value")) return false;
  if (c.peek('"')) {
    // entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE
    if (!c.quoted(out.str)) return false;
    if (!ascii::istarts_with(out.str, "/flags/") || out.str.size() == 7)
      return c.fail("Invalid MODSEQ entry name");
    if (!c.sp("MODSEQ entry type")) return false;
    std::string type;
    if (!c.keyword("MODSEQ entry type", type)) return false;
    if (type != "PRIV" && type != "SHARED" && type != "ALL")
      return c.fail("Invalid MODSEQ entry type");
    out.str2 = ascii::lower(type);
    if (!c.sp("MODSEQ value")) return false;
  }
  return c.mod_sequence("MODSEQ value", out.number, true);
}

bool parse_arg(Cursor& c, Arg arg, SearchKey& out) {
  switch (arg) {
    case Arg::none:
      return true;
    case Arg::astring:
      return c.sp("search string") && c.astring("search string", out.str);
    case Arg::keyword:
      return c.sp("keyword") && c.atom("keyword", out.str);
    case Arg::date:
      return c.sp("date") && c.date(out.date);
    case Arg::number:
      return c.sp("size") && c.number64("size", out.number);
    case Arg::nz_number: {
      uint32_t n = 0;
      if (!c.sp("interval") || !c.nz_number("interval", n)) return false;
      out.number = n;
      return true;
    }
    case Arg::header:
      if (!c.sp("header field name") || !c.astring("header field name", out.str)) return false;
      out.str = ascii::upper(out.str);
      return c.sp("search string") && c.astring("search string", out.str2);
    case Arg::not_:
      out.children.resize(1);
      return c.sp("search key") && parse_search_key(c, out.children[0]);
    case Arg::or_:
      out.children.resize(2);
      return c.sp("search key") && parse_search_key(c, out.children[0]) && c.sp("search key") &&
             parse_search_key(c, out.children[1]);
    case Arg::uid:
      return c.sp("UID set") && c.sequence_set(out.set);
    case Arg::modseq:
      return parse_modseq(c, out);
  }
  return false;
}

}  // namespace

bool parse_search_key(Cursor& c, SearchKey& out) {
  if (!c.need("search key")) return false;
  if (!c.enter("search keys")) return false;
  bool ok;
  if (c.peek('(')) {
    out.kind = Kind::and_;
    ok = c.paren_list("search key list", false, [&] {
      out.children.emplace_back();
      return parse_search_key(c, out.children.back());
    });
  } else if (c.at_sequence_set()) {
    out.kind = Kind::sequence_set;
    ok = c.sequence_set(out.set);
  } else {
    std::string name;
    ok = c.keyword("search key", name);
    if (ok) {
      const KeySpec* spec = nullptr;
      for (const KeySpec& k : kKeys)
        if (k.name == name) spec = &k;
      if (!spec) {
        ok = c.fail("Unknown search key " + name);
      } else {
        out.kind = spec->kind;
        ok = parse_arg(c, spec->arg, out);
      }
    }
  }
  c.leave();
  return ok;
}

bool parse_search_keys(Cursor& c, SearchKey& out) {
  out = SearchKey{};
  out.kind = Kind::and_;
  for (;;) {
    out.children.emplace_back();
    if (!parse_search_key(c, out.children.back())) return false;
    if (c.at_end()) return true;
    if (!c.sp("search key")) return false;
  }
}

bool parse_search_return(Cursor& c, SearchReturn& out) {
  out = {};
  bool ok = c.paren_list("RETURN options", true, [&] {
    std::string opt;
    if (!c.keyword("RETURN option", opt)) return false;
    if (opt == "MIN") {
      out.min = true;
    } else if (opt == "MAX") {
      out.max = true;
    } else if (opt == "ALL") {
      out.all = true;
    } else if (opt == "COUNT") {
      out.count = true;
    } else if (opt == "SAVE") {
      out.save = true;
    } else {
      return c.fail("Unknown RETURN option " + opt);
    }
    return true;
  });
  if (!ok) return false;
  // RFC 4731 §3.1: "RETURN ()" means RETURN (ALL).
  if (out == SearchReturn{}) out.all = true;
  return true;
}

}  // namespace courriel::imap
