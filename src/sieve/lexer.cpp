#include "sieve/lexer.h"

#include "base/ascii.h"

namespace courriel::sieve {
namespace {

Error fail(int line, std::string_view msg) {
  return make_error(Errc::invalid, "line " + std::to_string(line) + ": " + std::string(msg));
}

bool ident_start(char c) { return ascii::is_alpha(c) || c == '_'; }
bool ident_char(char c) { return ident_start(c) || ascii::is_digit(c); }

}  // namespace

Result<std::vector<Token>> tokenize(std::string_view s) {
  if (s.size() > kMaxScriptSize) return fail(1, "script too large");
  std::vector<Token> out;
  int line = 1;
  size_t i = 0;
  auto add = [&](Token::Kind k, std::string text = {}) {
    Token t;
    t.kind = k;
    t.text = std::move(text);
    t.line = line;
    out.push_back(std::move(t));
  };
  while (i < s.size()) {
    if (out.size() > kMaxTokens) return fail(line, "too many tokens");
    char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      int start = line;
      size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) return fail(start, "unterminated comment");
      for (size_t k = i; k < end; ++k)
        if (s[k] == '\n') ++line;
      i = end + 2;
    } else if (c == '"') {
      int start = line;
      std::string v;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char d = s[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < s.size()) {
          // RFC 5228 §2.4.2: "\\" and "\"" are escapes; any other backslash
          // is dropped and the character kept.
          d = s[++i];
        }
        if (d == '\n') ++line;
        v.push_back(d);
        ++i;
      }
      if (!closed) return fail(start, "unterminated string");
      Token t;
      t.kind = Token::Kind::string;
      t.text = std::move(v);
      t.line = start;
      out.push_back(std::move(t));
    } else if (c == ':' && i + 1 < s.size() && ident_start(s[i + 1])) {
      size_t j = i + 1;
      while (j < s.size() && ident_char(s[j])) ++j;
      add(Token::Kind::tag, ascii::lower(s.substr(i + 1, j - i - 1)));
      i = j;
    } else if (ascii::is_digit(c)) {
      size_t j = i;
      while (j < s.size() && ascii::is_digit(s[j])) ++j;
      auto n = ascii::parse_u64(s.substr(i, j - i), UINT64_MAX);
      if (!n) return fail(line, "number too large");
      uint64_t mult = 1;
      if (j < s.size()) {
        char q = ascii::to_upper(s[j]);
        if (q == 'K') mult = 1024;
        else if (q == 'M') mult = 1024 * 1024;
        else if (q == 'G') mult = 1024ull * 1024 * 1024;
        if (mult != 1) ++j;
      }
      if (j < s.size() && ident_char(s[j])) return fail(line, "bad number");
      if (*n > UINT64_MAX / mult) return fail(line, "number too large");
      Token t;
      t.kind = Token::Kind::number;
      t.number = *n * mult;
      t.line = line;
      out.push_back(std::move(t));
      i = j;
    } else if (ident_start(c)) {
      size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      std::string_view word = s.substr(i, j - i);
      if (ascii::iequals(word, "text") && j < s.size() && s[j] == ':') {
        // Multi-line string (RFC 5228 §2.4.2, §8.1): "text:" then spaces and
        // an optional hash comment up to the line end, then lines up to a
        // line holding only ".". A leading ".." loses one dot.
        int start = line;
        j++;
        while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
        if (j < s.size() && s[j] == '#') {
          while (j < s.size() && s[j] != '\n') ++j;
        }
        if (j < s.size() && s[j] == '\r') ++j;
        if (j >= s.size() || s[j] != '\n') return fail(start, "text: must end its line");
        ++j;
        ++line;
        std::string v;
        bool closed = false;
        while (j < s.size()) {
          size_t eol = s.find('\n', j);
          size_t next = eol == std::string_view::npos ? s.size() : eol + 1;
          std::string_view l = s.substr(j, (eol == std::string_view::npos ? s.size() : eol) - j);
          if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
          if (eol != std::string_view::npos) ++line;
          j = next;
          if (l == ".") {
            closed = true;
            break;
          }
          if (l.size() >= 2 && l[0] == '.' && l[1] == '.') l.remove_prefix(1);
          v.append(l);
          v.append("\r\n");
        }
        if (!closed) return fail(start, "unterminated multi-line string");
        Token t;
        t.kind = Token::Kind::string;
        t.text = std::move(v);
        t.line = start;
        out.push_back(std::move(t));
        i = j;
      } else {
        add(Token::Kind::identifier, std::string(word));
        i = j;
      }
    } else {
      Token::Kind k;
      switch (c) {
        case '[': k = Token::Kind::lbracket; break;
        case ']': k = Token::Kind::rbracket; break;
        case '(': k = Token::Kind::lparen; break;
        case ')': k = Token::Kind::rparen; break;
        case ',': k = Token::Kind::comma; break;
        case ';': k = Token::Kind::semicolon; break;
        case '{': k = Token::Kind::lbrace; break;
        case '}': k = Token::Kind::rbrace; break;
        default:
          return fail(line, "unexpected character '" + ascii::printable(s.substr(i, 1)) + "'");
      }
      add(k);
      ++i;
    }
  }
  add(Token::Kind::end);
  return out;
}

}  // namespace courriel::sieve
