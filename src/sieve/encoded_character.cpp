#include "sieve/encoded_character.h"
#include "base/utf8.h"

#include "base/ascii.h"

namespace courriel::sieve {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii::to_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Decodes the body of one sequence into `out`; false when malformed.
// `range_error` is set for a well-formed out-of-range code point.
bool decode_body(std::string_view body, bool unicode, std::string& out, bool& range_error) {
  size_t i = 0, items = 0;
  while (true) {
    while (i < body.size() && blank(body[i])) ++i;
    if (i == body.size()) break;
    if (items > 0 && !blank(body[i - 1])) return false;
    size_t b = i;
    uint64_t v = 0;
    bool big = false;
    while (i < body.size() && hex_value(body[i]) >= 0) {
      v = v * 16 + uint64_t(hex_value(body[i]));
      if (v > 0x10FFFF) big = true, v = 0x110000;
      ++i;
    }
    size_t n = i - b;
    if (n == 0) return false;
    if (!unicode) {
      if (n > 2) return false;
      out += char(v);
    } else {
      if (big || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) range_error = true;
      else append_utf8(out, uint32_t(v));
    }
    ++items;
  }
  return items > 0;
}

}  // namespace

Result<std::string> decode_encoded_characters(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      std::string_view rest = s.substr(i + 2);
      bool hex = ascii::istarts_with(rest, "hex:");
      bool uni = ascii::istarts_with(rest, "unicode:");
      size_t close = s.find('}', i + 2);
      if ((hex || uni) && close != std::string_view::npos) {
        size_t start = i + 2 + (hex ? 4 : 8);
        std::string decoded;
        bool range_error = false;
        if (start <= close && decode_body(s.substr(start, close - start), uni, decoded, range_error)) {
          if (range_error) return make_error(Errc::invalid, "encoded character out of range");
          out += decoded;
          i = close + 1;
          continue;
        }
      }
    }
    out += s[i++];
  }
  return out;
}

}  // namespace courriel::sieve
