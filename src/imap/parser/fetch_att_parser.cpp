#include "imap/parser/fetch_att_parser.h"

#include <string>

#include "base/ascii.h"

namespace courriel::imap {
namespace {

using Kind = FetchAtt::Kind;

// The name part of a fetch-att: letters, digits and dots ("RFC822.SIZE",
// "BODY.PEEK"), stopping at "[", "<", SP, ")".
std::string att_name(Cursor& c) {
  std::string name;
  while (!c.at_end()) {
    char ch = c.peek_char();
    if (!ascii::is_alpha(ch) && !ascii::is_digit(ch) && ch != '.') break;
    name.push_back(ascii::to_upper(ch));
    c.consume(ch);
  }
  return name;
}

// section-part = nz-number *("." nz-number); stops before a "." not followed
// by a digit (the caller then reads section-text).
bool section_part(Cursor& c, std::vector<uint32_t>& part, bool& dot_follows) {
  dot_follows = false;
  for (;;) {
    uint32_t n = 0;
    if (!c.nz_number("section part", n)) return false;
    part.push_back(n);
    if (!c.consume('.')) return true;
    if (!ascii::is_digit(c.peek_char())) {
      dot_follows = true;
      return true;
    }
  }
}

// header-list = "(" header-fld-name *(SP header-fld-name) ")"
bool header_list(Cursor& c, std::vector<std::string>& fields) {
  return c.paren_list("header field list", false, [&] {
    std::string f;
    if (!c.astring("header field name", f)) return false;
    fields.push_back(ascii::upper(f));
    return true;
  });
}

// section = "[" [section-spec] "]"  (RFC 9051 §9)
bool section(Cursor& c, Section& out) {
  if (!c.consume('[')) return c.fail("Expected [ to open the section");
  if (c.consume(']')) return true;
  bool has_part = false;
  if (ascii::is_digit(c.peek_char())) {
    bool dot = false;
    if (!section_part(c, out.part, dot)) return false;
    has_part = true;
    if (!dot) {
      if (!c.consume(']')) return c.fail("Invalid section");
      return true;
    }
  }
  std::string text;
  while (!c.at_end()) {
    char ch = c.peek_char();
    if (!ascii::is_alpha(ch) && ch != '.') break;
    text.push_back(ascii::to_upper(ch));
    c.consume(ch);
  }
  if (text == "HEADER") {
    out.text = Section::Text::header;
  } else if (text == "TEXT") {
    out.text = Section::Text::text;
  } else if (text == "MIME" && has_part) {
    // RFC 9051 §6.4.5: MIME only qualifies a part.
    out.text = Section::Text::mime;
  } else if (text == "HEADER.FIELDS" || text == "HEADER.FIELDS.NOT") {
    out.text =
        text == "HEADER.FIELDS" ? Section::Text::header_fields : Section::Text::header_fields_not;
    if (!c.sp("header field list") || !header_list(c, out.fields)) return false;
  } else {
    return c.fail("Invalid section");
  }
  if (!c.consume(']')) return c.fail("Invalid section (expected ])");
  return true;
}

// section-binary = "[" [section-part] "]"  (RFC 3516 §4.2)
bool section_binary(Cursor& c, Section& out) {
  if (!c.consume('[')) return c.fail("Expected [ to open the section");
  if (c.consume(']')) return true;
  bool dot = false;
  if (!section_part(c, out.part, dot)) return false;
  if (dot || !c.consume(']')) return c.fail("Invalid binary section");
  return true;
}

// partial = "<" number "." nz-number ">"
bool partial(Cursor& c, std::optional<Partial>& out) {
  if (!c.consume('<')) return true;
  Partial p;
  if (!c.number("partial origin", p.origin)) return false;
  if (!c.consume('.')) return c.fail("Invalid partial (expected <origin.count>)");
  if (!c.nz_number("partial length", p.count)) return false;
  if (!c.consume('>')) return c.fail("Invalid partial (expected >)");
  out = p;
  return true;
}

struct SimpleAtt {
  std::string_view name;
  Kind kind;
};
constexpr SimpleAtt kSimple[] = {
    {"ENVELOPE", Kind::envelope},
    {"FLAGS", Kind::flags},
    {"INTERNALDATE", Kind::internaldate},
    {"RFC822", Kind::rfc822},
    {"RFC822.HEADER", Kind::rfc822_header},
    {"RFC822.SIZE", Kind::rfc822_size},
    {"RFC822.TEXT", Kind::rfc822_text},
    {"BODYSTRUCTURE", Kind::bodystructure},
    {"UID", Kind::uid},
    {"MODSEQ", Kind::modseq},
};

FetchAtt simple(Kind kind) {
  FetchAtt a;
  a.kind = kind;
  return a;
}

}  // namespace

bool parse_fetch_att(Cursor& c, FetchAtt& out) {
  if (!c.need("fetch attribute")) return false;
  out = FetchAtt{};
  std::string name = att_name(c);
  if (name.empty()) return c.fail("Invalid fetch attribute");
  for (const SimpleAtt& s : kSimple) {
    if (name == s.name) {
      out.kind = s.kind;
      if (c.peek('[') || c.peek('<')) return c.fail("Unexpected section after " + name);
      return true;
    }
  }
  if (name == "BODY" && !c.peek('[')) {
    out.kind = Kind::body;
    if (c.peek('<')) return c.fail("Unexpected partial after BODY");
    return true;
  }
  if (name == "BODY" || name == "BODY.PEEK") {
    out.kind = Kind::body_section;
    out.peek = name == "BODY.PEEK";
    return section(c, out.section) && partial(c, out.partial);
  }
  if (name == "BINARY" || name == "BINARY.PEEK") {
    out.kind = Kind::binary;
    out.peek = name == "BINARY.PEEK";
    return section_binary(c, out.section) && partial(c, out.partial);
  }
  if (name == "BINARY.SIZE") {
    out.kind = Kind::binary_size;
    return section_binary(c, out.section);
  }
  return c.fail("Unknown fetch attribute " + name);
}

bool parse_fetch_atts(Cursor& c, std::vector<FetchAtt>& out) {
  out.clear();
  if (!c.need("fetch attributes")) return false;
  if (c.peek('(')) {
    return c.paren_list("fetch attribute list", false, [&] {
      out.emplace_back();
      return parse_fetch_att(c, out.back());
    });
  }
  // RFC 3501 §6.4.5 macros.
  if (c.take_keyword("ALL")) {
    out = {simple(Kind::flags), simple(Kind::internaldate), simple(Kind::rfc822_size),
           simple(Kind::envelope)};
    return true;
  }
  if (c.take_keyword("FAST")) {
    out = {simple(Kind::flags), simple(Kind::internaldate), simple(Kind::rfc822_size)};
    return true;
  }
  if (c.take_keyword("FULL")) {
    out = {simple(Kind::flags), simple(Kind::internaldate), simple(Kind::rfc822_size),
           simple(Kind::envelope), simple(Kind::body)};
    return true;
  }
  out.emplace_back();
  return parse_fetch_att(c, out.back());
}

}  // namespace courriel::imap
