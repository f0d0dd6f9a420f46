#include "mail/address.h"

#include <string>

namespace courriel::mail {
namespace {

enum class K { atom, quoted, dlit, special, end };

struct Tok {
  K kind = K::end;
  char special = 0;
  std::string text;      // unescaped content (quoted: without quotes)
  std::string_view raw;  // as written
  bool space_before = false;
  std::string comment_before;  // the last comment just before this token
};

constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::vector<Tok> lex(std::string_view s) {
  std::vector<Tok> toks;
  size_t i = 0;
  bool space = false;
  std::string comment;
  auto push = [&](Tok t) {
    t.space_before = space;
    t.comment_before = std::move(comment);
    comment.clear();
    space = false;
    toks.push_back(std::move(t));
  };
  while (i < s.size()) {
    char c = s[i];
    if (is_ws(c)) {
      space = true;
      ++i;
    } else if (c == '(') {
      // A comment, nested, with quoted-pairs; unterminated runs to the end.
      int depth = 0;
      std::string text;
      for (; i < s.size(); ++i) {
        char d = s[i];
        if (d == '\\' && i + 1 < s.size()) {
          text.push_back(s[++i]);
          continue;
        }
        if (d == '(') {
          if (depth++ > 0) text.push_back(d);
        } else if (d == ')') {
          if (--depth == 0) {
            ++i;
            break;
          }
          text.push_back(d);
        } else if (d != '\r' && d != '\n') {
          text.push_back(d);
        }
      }
      comment = std::move(text);
      space = true;
    } else if (c == '"') {
      Tok t;
      t.kind = K::quoted;
      size_t start = i++;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        if (s[i] != '\r' && s[i] != '\n') t.text.push_back(s[i]);
        ++i;
      }
      if (i < s.size()) ++i;
      t.raw = s.substr(start, i - start);
      push(std::move(t));
    } else if (c == '[') {
      Tok t;
      t.kind = K::dlit;
      size_t start = i;
      size_t close = s.find(']', i);
      i = close == std::string_view::npos ? s.size() : close + 1;
      t.raw = s.substr(start, i - start);
      t.text = std::string(t.raw);
      push(std::move(t));
    } else if (kSpecials.find(c) != std::string_view::npos) {
      Tok t;
      t.kind = K::special;
      t.special = c;
      t.raw = s.substr(i, 1);
      t.text = std::string(1, c);
      ++i;
      push(std::move(t));
    } else {
      Tok t;
      t.kind = K::atom;
      size_t start = i;
      while (i < s.size() && !is_ws(s[i]) && kSpecials.find(s[i]) == std::string_view::npos) ++i;
      t.raw = s.substr(start, i - start);
      t.text = std::string(t.raw);
      push(std::move(t));
    }
  }
  Tok end;
  end.kind = K::end;
  push(std::move(end));
  return toks;
}

class Parser {
 public:
  explicit Parser(std::vector<Tok> t) : t_(std::move(t)) {}

  std::vector<Address> list() {
    std::vector<Address> out;
    while (!at_end()) {
      if (is(',') || is(';') || is('>')) {  // empty members, stray closers
        ++p_;
        continue;
      }
      size_t before = p_;
      item(out, /*in_group=*/false);
      if (p_ == before) ++p_;  // always progress
    }
    return out;
  }

 private:
  bool at_end() const { return t_[p_].kind == K::end; }
  bool is(char c) const { return t_[p_].kind == K::special && t_[p_].special == c; }
  const Tok& cur() const { return t_[p_]; }

  // A phrase: words (atoms, quoted strings, dots) up to a special.
  std::string phrase(bool& any) {
    std::string out;
    any = false;
    while (cur().kind == K::atom || cur().kind == K::quoted || is('.') ||
           cur().kind == K::dlit) {
      if (any && cur().space_before) out.push_back(' ');
      out += cur().kind == K::quoted ? cur().text : std::string(cur().raw);
      any = true;
      ++p_;
    }
    return out;
  }

  // local-part as written (quoted strings keep their quotes), up to '@' or a
  // special that ends it.
  std::string local_part() {
    std::string out;
    while (cur().kind == K::atom || cur().kind == K::quoted || is('.')) {
      out += cur().raw;
      ++p_;
    }
    return out;
  }

  std::string domain() {
    std::string out;
    while (cur().kind == K::atom || cur().kind == K::dlit || is('.')) {
      out += cur().raw;
      ++p_;
    }
    return out;
  }

  void item(std::vector<Address>& out, bool in_group) {
    size_t start = p_;
    bool any = false;
    std::string words = phrase(any);
    if (is(':') && !in_group) {
      ++p_;
      Address g;
      g.mailbox = words;
      out.push_back(std::move(g));
      while (!at_end() && !is(';')) {
        if (is(',') || is('>') || is(':')) {
          ++p_;
          continue;
        }
        size_t before = p_;
        item(out, true);
        if (p_ == before) ++p_;
      }
      if (is(';')) ++p_;
      out.push_back(Address{});
      return;
    }
    if (is('<')) {
      ++p_;
      Address a;
      if (any) a.name = words;
      if (is('@')) {  // obs-route
        std::string adl;
        while (is('@') || is(',')) {
          if (is(',')) {
            adl.push_back(',');
            ++p_;
            continue;
          }
          ++p_;
          adl.push_back('@');
          adl += domain();
        }
        while (!adl.empty() && adl.back() == ',') adl.pop_back();
        if (is(':')) ++p_;
        a.adl = adl;
      }
      std::string local = local_part();
      if (is('@')) {
        ++p_;
        a.mailbox = local;
        a.host = domain();
      } else if (local.empty() && is('>')) {
        a.mailbox = "";
        a.host = "";
      } else {
        a.mailbox = local;
        a.host = "MISSING_DOMAIN";
      }
      // Skip junk up to the closing '>'.
      while (!at_end() && !is('>') && !is(',') && !(in_group && is(';'))) ++p_;
      if (is('>')) ++p_;
      skip_to_separator(in_group);
      out.push_back(std::move(a));
      return;
    }
    // addr-spec: rewind and read the words as a local part.
    p_ = start;
    std::string local = local_part();
    Address a;
    a.mailbox = local;
    if (is('@')) {
      ++p_;
      a.host = domain();
    } else {
      a.host = "MISSING_DOMAIN";
    }
    if (local.empty() && !a.host->empty() && a.host != "MISSING_DOMAIN") {
      // "@host" alone: keep it, mailbox empty.
    }
    // A comment right after the addr-spec names the address.
    std::string comment = cur().comment_before;
    skip_to_separator(in_group);
    if (!comment.empty()) a.name = comment;
    if (a.mailbox->empty() && a.host == "MISSING_DOMAIN") return;  // nothing there
    out.push_back(std::move(a));
  }

  void skip_to_separator(bool in_group) {
    while (!at_end() && !is(',') && !(in_group && is(';'))) ++p_;
  }

  std::vector<Tok> t_;
  size_t p_ = 0;
};

}  // namespace

std::vector<Address> parse_addresses(std::string_view value) {
  return Parser(lex(value)).list();
}

}  // namespace courriel::mail
