#include "auth/sasl_plain.h"

#include <algorithm>

namespace courriel::auth {

Result<PlainCredentials> decode_sasl_plain(std::string_view m) {
  constexpr size_t kMaxPart = 255;  // RFC 4616 §2: 1*SAFE is at most 255 octets
  if (std::count(m.begin(), m.end(), '\0') != 2) {
    return make_error(Errc::invalid, "PLAIN message must contain exactly two NUL separators");
  }
  size_t first = m.find('\0');
  size_t second = m.find('\0', first + 1);
  PlainCredentials c{std::string(m.substr(0, first)),
                     std::string(m.substr(first + 1, second - first - 1)),
                     std::string(m.substr(second + 1))};
  if (c.authcid.empty()) return make_error(Errc::invalid, "PLAIN authcid is empty");
  if (c.password.empty()) return make_error(Errc::invalid, "PLAIN password is empty");
  if (c.authzid.size() > kMaxPart || c.authcid.size() > kMaxPart || c.password.size() > kMaxPart) {
    return make_error(Errc::invalid, "PLAIN field longer than 255 bytes");
  }
  return c;
}

}  // namespace courriel::auth
