#include "base/mutf7.h"
#include "base/utf8.h"

#include <cstdint>
#include <vector>

namespace courriel {
namespace {

// RFC 3501 §5.1.3: modified BASE64 uses "," where RFC 4648 uses "/".
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

// Printable US-ASCII represents itself (0x20-0x7e; "&" as "&-").
constexpr bool self_encoded(uint32_t cp) { return cp >= 0x20 && cp <= 0x7e; }

// Next code point of UTF-8 at s[i]; invalid bytes give U+FFFD one at a time.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t cp = 0;
  if (c < 0x80) {
    ++i;
    return c;
  } else if (c >= 0xc2 && c <= 0xdf) {
    n = 1;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 2;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 3;
    cp = c & 0x07;
  } else {
    ++i;
    return 0xfffd;
  }
  if (s.size() - i <= n) {
    ++i;
    return 0xfffd;
  }
  for (size_t k = 1; k <= n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) {
      ++i;
      return 0xfffd;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff)) {
    ++i;
    return 0xfffd;
  }
  i += n + 1;
  return cp;
}

// Decodes one shift's base64 text (between "&" and "-") to UTF-8.
bool decode_shift(std::string_view b64, std::string& out, std::string_view encoded_ascii) {
  uint32_t bits = 0;
  int nbits = 0;
  std::vector<uint16_t> units;
  for (char ch : b64) {
    int v = b64_value(ch);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push_back(static_cast<uint16_t>(bits >> nbits));
      bits &= (1u << nbits) - 1;
    }
  }
  // Canonical: fewer than 6 padding bits, all zero.
  if (nbits >= 6 || bits != 0 || units.empty()) return false;
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t u = units[i];
    if (u >= 0xd800 && u <= 0xdbff) {
      if (i + 1 == units.size() || units[i + 1] < 0xdc00 || units[i + 1] > 0xdfff) return false;
      u = 0x10000 + ((u - 0xd800) << 10) + (units[++i] - 0xdc00);
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return false;
    } else if (self_encoded(u) && encoded_ascii.find(char(u)) == std::string_view::npos) {
      return false;  // printable ASCII must represent itself
    }
    append_utf8(out, u);
  }
  return true;
}

void encode_shift(const std::vector<uint16_t>& units, std::string& out) {
  out.push_back('&');
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(kAlphabet[(bits >> nbits) & 0x3f]);
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out.push_back(kAlphabet[(bits << (6 - nbits)) & 0x3f]);
  out.push_back('-');
}

}  // namespace

std::optional<std::string> mutf7_decode(std::string_view in, std::string_view encoded_ascii) {
  std::string out;
  size_t i = 0;
  bool after_shift = false;  // the previous token was a base64 shift
  while (i < in.size()) {
    char c = in[i];
    if (!self_encoded(static_cast<unsigned char>(c))) return std::nullopt;
    if (c != '&') {
      out.push_back(c);
      ++i;
      after_shift = false;
      continue;
    }
    size_t end = in.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {
      out.push_back('&');
      after_shift = false;
    } else {
      if (after_shift) return std::nullopt;  // two shifts must be one
      if (!decode_shift(in.substr(i + 1, end - i - 1), out, encoded_ascii)) return std::nullopt;
      after_shift = true;
    }
    i = end + 1;
  }
  return out;
}

std::string mutf7_encode(std::string_view in, std::string_view also_encode) {
  std::string out;
  std::vector<uint16_t> units;
  size_t i = 0;
  while (i < in.size()) {
    uint32_t cp = next_code_point(in, i);
    if (self_encoded(cp) && also_encode.find(char(cp)) == std::string_view::npos) {
      if (!units.empty()) {
        encode_shift(units, out);
        units.clear();
      }
      out.push_back(static_cast<char>(cp));
      if (cp == '&') out.push_back('-');
    } else if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push_back(static_cast<uint16_t>(0xd800 + (cp >> 10)));
      units.push_back(static_cast<uint16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      units.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!units.empty()) encode_shift(units, out);
  return out;
}

}  // namespace courriel
