#include "search/casemap.h"
#include "base/utf8.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace courriel::search {
namespace {

struct CaseMapEntry {
  uint32_t cp;
  uint32_t offset;
  uint8_t len;
};

#include "search/casemap_table.inc"

// Decodes one well-formed UTF-8 sequence at s[i]; returns its length, or 0
// when the bytes there are ill-formed (RFC 3629 §4: no overlongs, surrogates,
// or values past U+10FFFF).
size_t decode_one(std::string_view s, size_t i, uint32_t& cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  size_t n;
  uint32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

void casemap_append(std::string_view text, std::string& out) {
  out.reserve(out.size() + text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {  // the common case: titlecase of ASCII is upper case
      out += (c >= 'a' && c <= 'z') ? char(c - 32) : char(c);
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t n = decode_one(text, i, cp);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for each ill-formed byte
      ++i;
      continue;
    }
    auto it = std::lower_bound(std::begin(kCaseMap), std::end(kCaseMap), cp,
                               [](const CaseMapEntry& e, uint32_t v) { return e.cp < v; });
    if (it != std::end(kCaseMap) && it->cp == cp) {
      out.append(reinterpret_cast<const char*>(kCaseMapPool) + it->offset, it->len);
    } else {
      append_utf8(out, cp);
    }
    i += n;
  }
}

}  // namespace courriel::search
