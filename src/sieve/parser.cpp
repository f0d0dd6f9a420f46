#include "sieve/parser.h"

#include "base/ascii.h"
#include "sieve/lexer.h"
#include "sieve/validator.h"

namespace courriel::sieve {
namespace {

using K = Token::Kind;

class Parser {
 public:
  explicit Parser(const std::vector<Token>& toks) : t_(toks) {}

  Result<std::vector<Node>> commands(int depth, bool top) {
    std::vector<Node> out;
    while (true) {
      const Token& tok = peek();
      if (tok.kind == K::end) {
        if (!top) return fail(tok.line, "missing '}'");
        return out;
      }
      if (tok.kind == K::rbrace) {
        if (top) return fail(tok.line, "unexpected '}'");
        return out;
      }
      auto c = command(depth);
      if (!c) return c.error();
      out.push_back(std::move(*c));
    }
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  const Token& next() { return t_[pos_ < t_.size() - 1 ? pos_++ : pos_]; }

  static Error fail(int line, std::string_view msg) {
    return make_error(Errc::invalid, "line " + std::to_string(line) + ": " + std::string(msg));
  }

  Result<Node> command(int depth) {
    const Token& id = next();
    if (id.kind != K::identifier) return fail(id.line, "expected a command");
    Node n;
    n.name = ascii::lower(id.text);
    n.line = id.line;
    if (auto s = arguments(n, depth); !s) return s.error();
    const Token& end = next();
    if (end.kind == K::semicolon) return n;
    if (end.kind == K::lbrace) {
      if (depth + 1 > kMaxNesting) return fail(end.line, "nesting too deep");
      auto b = commands(depth + 1, false);
      if (!b) return b.error();
      next();  // '}'
      n.block = std::move(*b);
      n.has_block = true;
      return n;
    }
    return fail(end.line, "expected ';' or '{' after " + ascii::printable(n.name));
  }

  Status arguments(Node& n, int depth) {
    while (true) {
      const Token& tok = peek();
      if (tok.kind == K::tag) {
        Argument a;
        a.kind = Argument::Kind::tag;
        a.tag = tok.text;
        a.line = tok.line;
        n.args.push_back(std::move(a));
        next();
      } else if (tok.kind == K::number) {
        Argument a;
        a.kind = Argument::Kind::number;
        a.number = tok.number;
        a.line = tok.line;
        n.args.push_back(std::move(a));
        next();
      } else if (tok.kind == K::string) {
        Argument a;
        a.strings.push_back(tok.text);
        a.line = tok.line;
        n.args.push_back(std::move(a));
        next();
      } else if (tok.kind == K::lbracket) {
        Argument a;
        a.is_list = true;
        a.line = tok.line;
        next();
        while (true) {
          const Token& s = next();
          if (s.kind != K::string) return fail(s.line, "expected a string in the list");
          a.strings.push_back(s.text);
          const Token& sep = next();
          if (sep.kind == K::rbracket) break;
          if (sep.kind != K::comma) return fail(sep.line, "expected ',' or ']'");
        }
        n.args.push_back(std::move(a));
      } else {
        break;
      }
    }
    const Token& tok = peek();
    if (tok.kind == K::identifier) {
      if (depth + 1 > kMaxNesting) return fail(tok.line, "nesting too deep");
      auto t = test(depth + 1);
      if (!t) return t.error();
      n.tests.push_back(std::move(*t));
    } else if (tok.kind == K::lparen) {
      if (depth + 1 > kMaxNesting) return fail(tok.line, "nesting too deep");
      next();
      n.test_list = true;
      while (true) {
        auto t = test(depth + 1);
        if (!t) return t.error();
        n.tests.push_back(std::move(*t));
        const Token& sep = next();
        if (sep.kind == K::rparen) break;
        if (sep.kind != K::comma) return fail(sep.line, "expected ',' or ')'");
      }
    }
    return {};
  }

  Result<Node> test(int depth) {
    const Token& id = next();
    if (id.kind != K::identifier) return fail(id.line, "expected a test");
    Node n;
    n.name = ascii::lower(id.text);
    n.line = id.line;
    if (auto s = arguments(n, depth); !s) return s.error();
    return n;
  }

  const std::vector<Token>& t_;
  size_t pos_ = 0;
};

}  // namespace

Result<Script> parse_syntax(std::string_view text) {
  auto toks = tokenize(text);
  if (!toks) return toks.error();
  Parser p(*toks);
  auto cmds = p.commands(0, true);
  if (!cmds) return cmds.error();
  Script s;
  s.commands = std::move(*cmds);
  return s;
}

Result<Script> parse(std::string_view text) {
  auto s = parse_syntax(text);
  if (!s) return s;
  if (auto v = validate(*s); !v) return v.error();
  return s;
}

}  // namespace courriel::sieve
