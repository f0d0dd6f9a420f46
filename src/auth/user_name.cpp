#include "auth/user_name.h"

#include <cstdio>

#include "base/ascii.h"

namespace courriel::auth {
namespace {

constexpr size_t kMaxLocal = 64;    // RFC 5321 §4.5.3.1.1
constexpr size_t kMaxDomain = 253;  // RFC 1035 §2.3.4, without the trailing dot
constexpr size_t kMaxLabel = 63;

bool is_alnum(char c) { return ascii::is_digit(c) || (c >= 'a' && c <= 'z'); }

// Names a byte for an error detail without echoing control or 8-bit bytes.
std::string describe(char c) {
  if (c > 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned char>(c));
  return buf;
}

Error invalid(std::string detail) { return make_error(Errc::invalid, std::move(detail)); }

Status check_local(std::string_view s) {
  if (s.empty()) return invalid("empty local part");
  if (s.size() > kMaxLocal) return invalid("local part longer than 64 characters");
  for (char c : s) {
    if (c == '+') return invalid("'+' is reserved for subaddressing");
    if (!is_alnum(c) && c != '.' && c != '_' && c != '-') {
      return invalid("character " + describe(c) + " not allowed in local part");
    }
  }
  if (s.front() == '.' || s.back() == '.') return invalid("local part starts or ends with '.'");
  if (s.find("..") != std::string_view::npos) return invalid("local part contains \"..\"");
  return {};
}

Status check_domain(std::string_view s) {
  if (s.empty()) return invalid("empty domain");
  if (s.size() > kMaxDomain) return invalid("domain longer than 253 characters");
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '.') {
      return invalid("character " + describe(c) + " not allowed in domain");
    }
  }
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty()) return invalid("empty label in domain");
    if (label.size() > kMaxLabel) return invalid("domain label longer than 63 characters");
    if (label.front() == '-' || label.back() == '-') {
      return invalid("domain label starts or ends with '-'");
    }
    if (dot == std::string_view::npos) return {};
    start = dot + 1;
  }
}

}  // namespace

Result<UserName> parse_user_name(std::string_view input, std::string_view default_domain) {
  const std::string lowered = ascii::lower(input);
  std::string_view s = lowered;
  UserName name;
  size_t at = s.find('@');
  if (at == std::string_view::npos) {
    if (default_domain.empty()) return invalid("no domain given and no default domain");
    name.local = s;
    name.domain = ascii::lower(default_domain);
  } else {
    if (s.find('@', at + 1) != std::string_view::npos) return invalid("more than one '@'");
    name.local = s.substr(0, at);
    name.domain = s.substr(at + 1);
  }
  if (Status st = check_local(name.local); !st) return st.error();
  if (Status st = check_domain(name.domain); !st) return st.error();
  return name;
}

}  // namespace courriel::auth
