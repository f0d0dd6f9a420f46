#include "sieve/address_part.h"

namespace courriel::sieve {

std::optional<std::string> address_part(std::string_view a, AddressPart part) {
  size_t at = a.rfind('@');
  std::string_view local = at == std::string_view::npos ? a : a.substr(0, at);
  std::string_view domain = at == std::string_view::npos ? std::string_view() : a.substr(at + 1);
  switch (part) {
    case AddressPart::all: return std::string(a);
    case AddressPart::localpart: return std::string(local);
    case AddressPart::domain: return std::string(domain);
    case AddressPart::user: {
      size_t s = local.find(kSubaddressSeparator);
      return std::string(s == std::string_view::npos ? local : local.substr(0, s));
    }
    case AddressPart::detail: {
      size_t s = local.find(kSubaddressSeparator);
      if (s == std::string_view::npos) return std::nullopt;
      return std::string(local.substr(s + 1));
    }
  }
  return std::nullopt;
}

bool valid_redirect_address(std::string_view a) {
  size_t at = a.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
  if (a.size() > 512) return false;
  for (char c : a) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127 || c == '<' || c == '>' || c == ',' || c == ';') return false;
  }
  return true;
}

}  // namespace courriel::sieve
