#include "managesieve/proto/command.h"

#include <charconv>

namespace courriel::managesieve {
namespace {

bool atom_char(char c) {
  return c != ' ' && c != '\r' && c != '\n' && c != '"' && c != '{' && c != '\0';
}

// The end of the current line (index of '\n') from `from`, or npos.
size_t line_end(std::string_view in, size_t from) { return in.find('\n', from); }

Step fail(std::string_view in, size_t pos, std::string message) {
  Step s;
  size_t lf = line_end(in, pos);
  if (lf == std::string_view::npos) {
    // Wait for the line's end so that the rest of it is dropped with it.
    if (in.size() > 64 * 1024) {
      s.state = Step::fatal;
      s.message = std::move(message);
      return s;
    }
    s.state = Step::need_more;
    return s;
  }
  s.state = Step::error;
  s.consumed = lf + 1;
  s.message = std::move(message);
  return s;
}

}  // namespace

Step parse_command(std::string_view in, const Limits& limits, bool named) {
  Step step;
  size_t pos = 0;
  size_t line_bytes = 0;  // outside literals
  bool first = true;
  for (;;) {
    if (line_bytes > limits.max_line) {
      step.state = Step::fatal;
      step.message = "Line too long";
      return step;
    }
    if (pos >= in.size()) return Step{};  // need_more
    char c = in[pos];
    if (c == '\r' || c == '\n') {
      if (c == '\r') {
        if (pos + 1 >= in.size()) return Step{};
        if (in[pos + 1] != '\n') return fail(in, pos, "Expected CRLF");
        ++pos;
      }
      ++pos;
      if (named && step.command.name.empty()) {
        step.state = Step::error;
        step.consumed = pos;
        step.message = "Empty command";
        return step;
      }
      step.state = Step::complete;
      step.consumed = pos;
      return step;
    }
    if (!first) {
      if (c != ' ') return fail(in, pos, "Expected a space between arguments");
      while (pos < in.size() && in[pos] == ' ') ++pos, ++line_bytes;
      if (pos >= in.size()) return Step{};
      c = in[pos];
      if (c == '\r' || c == '\n') continue;  // trailing spaces
    }
    const bool is_name = first && named;
    first = false;
    if (c == '"') {
      if (is_name) return fail(in, pos, "Expected a command name");
      std::string value;
      ++pos;
      for (;;) {
        if (pos >= in.size()) {
          if (line_bytes + value.size() > limits.max_line) {
            step.state = Step::fatal;
            step.message = "Line too long";
            return step;
          }
          return Step{};
        }
        char q = in[pos];
        if (q == '"') break;
        if (q == '\r' || q == '\n' || q == '\0') return fail(in, pos, "Invalid character in a quoted string");
        if (q == '\\') {
          if (pos + 1 >= in.size()) return Step{};
          q = in[pos + 1];
          if (q != '"' && q != '\\') return fail(in, pos, "Invalid escape in a quoted string");
          ++pos;
        }
        value.push_back(q);
        ++pos;
      }
      ++pos;
      line_bytes += value.size() + 2;
      step.command.args.push_back(std::move(value));
      continue;
    }
    if (c == '{') {
      if (is_name) return fail(in, pos, "Expected a command name");
      size_t close = in.find('}', pos);
      if (close == std::string_view::npos) {
        if (in.size() - pos > 24) return fail(in, pos, "Malformed literal");
        return Step{};
      }
      std::string_view digits = in.substr(pos + 1, close - pos - 1);
      if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
        return fail(in, pos, "Malformed literal");
      size_t after = close + 1;
      if (after + 2 > in.size()) return Step{};
      if (in[after] != '\r' || in[after + 1] != '\n') return fail(in, pos, "Malformed literal");
      if (n > limits.max_literal) {
        step.state = Step::too_big;
        step.consumed = after + 2;
        step.skip = n;
        step.message = "Literal too big";
        return step;
      }
      size_t start = after + 2;
      if (in.size() - start < n) return Step{};
      step.command.args.emplace_back(in.substr(start, size_t(n)));
      line_bytes += close + 3 - pos;
      pos = start + size_t(n);
      continue;
    }
    size_t start = pos;
    while (pos < in.size() && atom_char(in[pos])) ++pos;
    if (pos >= in.size()) {
      if (pos - start > limits.max_line) {
        step.state = Step::fatal;
        step.message = "Line too long";
        return step;
      }
      return Step{};
    }
    if (pos == start) return fail(in, pos, "Unexpected character");
    std::string atom(in.substr(start, pos - start));
    line_bytes += atom.size();
    if (is_name) {
      for (char& a : atom)
        if (a >= 'a' && a <= 'z') a = char(a - 'a' + 'A');
      step.command.name = std::move(atom);
    } else {
      step.command.args.push_back(std::move(atom));
    }
  }
}

std::string quote(std::string_view s) {
  bool literal = s.size() > 1024;
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') literal = true;
  if (literal) return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace courriel::managesieve
