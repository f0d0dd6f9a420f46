#include "lmtp/proto/command.h"

#include "base/ascii.h"

namespace courriel::lmtp {
namespace {

ParseOutcome fail(std::string reply) { return ParseOutcome{std::nullopt, std::move(reply)}; }

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

// Reads "<path>" at the start of `rest` (after "FROM:" or "TO:"), leaving the
// parameters in `rest`. The closing '>' is the first one outside a quoted
// string (a quoted local part may hold '>', RFC 5321 §4.1.2).
std::optional<std::string> take_path(std::string_view& rest) {
  if (rest.empty() || rest.front() != '<') return std::nullopt;
  size_t i = 1;
  bool quoted = false;
  for (; i < rest.size(); ++i) {
    char c = rest[i];
    if (quoted && c == '\\' && i + 1 < rest.size()) {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == '>' && !quoted) {
      break;
    }
  }
  if (i >= rest.size()) return std::nullopt;
  std::string_view path = rest.substr(1, i - 1);
  rest.remove_prefix(i + 1);
  if (path.size() + 2 > kMaxPath || has_control(path)) return std::nullopt;
  // A source route "@a,@b:" before the mailbox is obsolete and ignored (§4.1.2, §C).
  if (!path.empty() && path.front() == '@') {
    auto colon = path.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    path.remove_prefix(colon + 1);
  }
  if (path.find(' ') != std::string_view::npos && path.front() != '"') return std::nullopt;
  return std::string(path);
}

// "FROM:" or "TO:" then optional spaces.
bool take_keyword(std::string_view& rest, std::string_view keyword) {
  if (!ascii::istarts_with(rest, keyword)) return false;
  rest.remove_prefix(keyword.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return true;
}

std::string_view next_word(std::string_view& rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  auto sp = rest.find(' ');
  std::string_view word = rest.substr(0, sp);
  rest.remove_prefix(sp == std::string_view::npos ? rest.size() : sp);
  return word;
}

ParseOutcome parse_mail(std::string_view rest, Command cmd) {
  if (!take_keyword(rest, "FROM:")) return fail("501 5.5.4 Syntax: MAIL FROM:<address>");
  auto path = take_path(rest);
  if (!path) return fail("501 5.1.7 Bad sender address syntax");
  cmd.address = std::move(*path);
  for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
    auto eq = word.find('=');
    std::string_view key = word.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : word.substr(eq + 1);
    if (ascii::iequals(key, "SIZE")) {
      auto n = ascii::parse_u64(value);
      if (!n || cmd.size) return fail("501 5.5.4 Bad SIZE parameter");
      cmd.size = *n;
    } else if (ascii::iequals(key, "BODY")) {
      if (cmd.body != BodyType::unspecified) return fail("501 5.5.4 Duplicate BODY parameter");
      if (ascii::iequals(value, "7BIT")) cmd.body = BodyType::seven_bit;
      else if (ascii::iequals(value, "8BITMIME")) cmd.body = BodyType::eight_bit_mime;
      else return fail("501 5.5.4 Unsupported BODY type");
    } else {
      return fail("555 5.5.4 Unsupported MAIL parameter " + ascii::printable(key, 32));
    }
  }
  return ParseOutcome{std::move(cmd), {}};
}

ParseOutcome parse_rcpt(std::string_view rest, Command cmd) {
  if (!take_keyword(rest, "TO:")) return fail("501 5.5.4 Syntax: RCPT TO:<address>");
  auto path = take_path(rest);
  if (!path || path->empty()) return fail("501 5.1.3 Bad recipient address syntax");
  if (!next_word(rest).empty()) return fail("555 5.5.4 Unsupported RCPT parameter");
  cmd.address = std::move(*path);
  return ParseOutcome{std::move(cmd), {}};
}

ParseOutcome parse_bdat(std::string_view rest, Command cmd) {
  auto n = ascii::parse_u64(next_word(rest));
  if (!n) return fail("501 5.5.4 Syntax: BDAT size [LAST]");
  cmd.chunk_size = *n;
  std::string_view word = next_word(rest);
  if (!word.empty()) {
    if (!ascii::iequals(word, "LAST") || !next_word(rest).empty())
      return fail("501 5.5.4 Syntax: BDAT size [LAST]");
    cmd.last = true;
  }
  return ParseOutcome{std::move(cmd), {}};
}

}  // namespace

ParseOutcome parse_command(std::string_view line) {
  auto sp = line.find(' ');
  std::string_view verb = line.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  Command cmd;
  cmd.name = ascii::upper(ascii::printable(verb, 16));
  static constexpr std::pair<std::string_view, Verb> kVerbs[] = {
      {"LHLO", Verb::lhlo}, {"HELO", Verb::helo}, {"EHLO", Verb::ehlo}, {"MAIL", Verb::mail},
      {"RCPT", Verb::rcpt}, {"DATA", Verb::data}, {"BDAT", Verb::bdat}, {"RSET", Verb::rset},
      {"NOOP", Verb::noop}, {"QUIT", Verb::quit}, {"VRFY", Verb::vrfy},
  };
  for (auto [text, v] : kVerbs)
    if (ascii::iequals(verb, text)) cmd.verb = v;
  if (cmd.verb == Verb::unknown) return fail("500 5.5.1 Unknown command");
  // Trailing spaces are common from hand-typed sessions; they mean nothing.
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  switch (cmd.verb) {
    case Verb::lhlo:
    case Verb::helo:
    case Verb::ehlo: {
      std::string_view domain = next_word(rest);
      if (domain.empty() || !next_word(rest).empty() || has_control(domain))
        return fail("501 5.5.4 Syntax: " + cmd.name + " domain");
      cmd.argument = std::string(domain);
      break;
    }
    case Verb::mail: return parse_mail(rest, std::move(cmd));
    case Verb::rcpt: return parse_rcpt(rest, std::move(cmd));
    case Verb::bdat: return parse_bdat(rest, std::move(cmd));
    case Verb::data:
    case Verb::rset:
    case Verb::quit:
      if (!rest.empty()) return fail("501 5.5.4 Syntax: " + cmd.name + " takes no argument");
      break;
    case Verb::vrfy:
      if (rest.empty()) return fail("501 5.5.4 Syntax: VRFY address");
      cmd.argument = std::string(rest);
      break;
    case Verb::noop:
      cmd.argument = std::string(rest);
      break;
    case Verb::unknown: break;
  }
  return ParseOutcome{std::move(cmd), {}};
}

LocalPart split_local_part(std::string_view local, std::string_view delimiter) {
  if (delimiter.empty()) return {std::string(local), {}};
  auto at = local.find(delimiter);
  if (at == std::string_view::npos) return {std::string(local), {}};
  return {std::string(local.substr(0, at)), std::string(local.substr(at + delimiter.size()))};
}

AddressParts split_address(std::string_view address) {
  AddressParts parts;
  auto at = address.rfind('@');
  std::string_view local = address.substr(0, at);
  if (at != std::string_view::npos) parts.domain = std::string(address.substr(at + 1));
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    // A quoted local part: unquote (RFC 5321 §4.1.2 quoted-pairSMTP).
    local = local.substr(1, local.size() - 2);
    for (size_t i = 0; i < local.size(); ++i) {
      if (local[i] == '\\' && i + 1 < local.size()) ++i;
      parts.local += local[i];
    }
  } else {
    parts.local = std::string(local);
  }
  return parts;
}

}  // namespace courriel::lmtp
