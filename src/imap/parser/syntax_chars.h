// Character classes of the IMAP formal syntax (RFC 3501 §9, RFC 9051 §9),
// shared by the reader, the parser and the response writer helpers.
#pragma once

namespace courriel::imap::chars {

// CTL: %x00-1F / %x7F.
constexpr bool is_ctl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }
constexpr bool is_8bit(char c) { return static_cast<unsigned char>(c) >= 0x80; }
// quoted-specials = DQUOTE / "\"
constexpr bool is_quoted_special(char c) { return c == '"' || c == '\\'; }
// list-wildcards = "%" / "*"
constexpr bool is_list_wildcard(char c) { return c == '%' || c == '*'; }
// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials /
//                 resp-specials ("]")
constexpr bool is_atom_special(char c) {
  return c == '(' || c == ')' || c == '{' || c == ' ' || is_ctl(c) || is_list_wildcard(c) ||
         is_quoted_special(c) || c == ']';
}
// ATOM-CHAR = <any CHAR except atom-specials>; CHAR is 7-bit.
constexpr bool is_atom_char(char c) { return !is_8bit(c) && !is_atom_special(c); }
// ASTRING-CHAR = ATOM-CHAR / resp-specials
constexpr bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }
// tag = 1*<any ASTRING-CHAR except "+">
constexpr bool is_tag_char(char c) { return is_astring_char(c) && c != '+'; }
// list-char = ATOM-CHAR / list-wildcards / resp-specials
constexpr bool is_list_char(char c) { return is_astring_char(c) || is_list_wildcard(c); }

}  // namespace courriel::imap::chars
