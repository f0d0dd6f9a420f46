#include "store/maildir/layout.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "base/ascii.h"
#include "store/store.h"

namespace courriel::store::maildir {
namespace {

// Decodes one code point at s[i]; returns its length, 0 if malformed.
size_t decode_utf8(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  uint32_t v, min;
  if ((c & 0xe0) == 0xc0) {
    len = 2, v = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, v = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    v = (v << 6) | (b(i + k) & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return len;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

void flush_b64(std::string& out, std::vector<uint16_t>& units) {
  if (units.empty()) return;
  out += '&';
  uint32_t acc = 0;
  int bits = 0;
  for (uint16_t u : units) {
    acc = (acc << 16) | u;
    bits += 16;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kB64[(acc << (6 - bits)) & 0x3f];
  out += '-';
  units.clear();
}

}  // namespace

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t n = decode_utf8(s, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string mutf7_encode(std::string_view utf8, std::string_view also_encode) {
  std::string out;
  std::vector<uint16_t> units;
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp;
    size_t n = decode_utf8(utf8, i, &cp);
    if (n == 0) {
      cp = 0xfffd;
      n = 1;
    }
    i += n;
    bool direct = cp >= 0x20 && cp <= 0x7e &&
                  also_encode.find(char(cp)) == std::string_view::npos;
    if (direct) {
      flush_b64(out, units);
      out += char(cp);
      if (cp == '&') out += '-';
    } else if (cp < 0x10000) {
      units.push_back(uint16_t(cp));
    } else {
      cp -= 0x10000;
      units.push_back(uint16_t(0xd800 | (cp >> 10)));
      units.push_back(uint16_t(0xdc00 | (cp & 0x3ff)));
    }
  }
  flush_b64(out, units);
  return out;
}

std::optional<std::string> mutf7_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
      return std::nullopt;
    if (c != '&') {
      out += c;
      ++i;
      continue;
    }
    size_t end = s.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {
      out += '&';
      i = end + 1;
      continue;
    }
    uint32_t acc = 0;
    int bits = 0;
    std::vector<uint16_t> units;
    for (size_t k = i + 1; k < end; ++k) {
      int v = b64_value(s[k]);
      if (v < 0) return std::nullopt;
      acc = (acc << 6) | uint32_t(v);
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        units.push_back(uint16_t(acc >> bits));
        acc &= (1u << bits) - 1;
      }
    }
    if (bits >= 6 || acc != 0) return std::nullopt;
    for (size_t k = 0; k < units.size(); ++k) {
      uint32_t u = units[k];
      if (u >= 0xd800 && u <= 0xdbff) {
        if (k + 1 >= units.size() || units[k + 1] < 0xdc00 || units[k + 1] > 0xdfff)
          return std::nullopt;
        u = 0x10000 + ((u - 0xd800) << 10) + (units[k + 1] - 0xdc00);
        ++k;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        return std::nullopt;
      }
      append_utf8(out, u);
    }
    i = end + 1;
  }
  return out;
}

Status validate_name(std::string_view name) {
  if (name.empty()) return make_error(Errc::invalid, "empty mailbox name");
  if (name.size() > kMaxNameBytes) return make_error(Errc::invalid, "mailbox name too long");
  if (!valid_utf8(name)) return make_error(Errc::invalid, "mailbox name is not UTF-8");
  for (size_t i = 0; i < name.size();) {
    uint32_t cp;
    size_t n = decode_utf8(name, i, &cp);
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
      return make_error(Errc::invalid, "control character in mailbox name");
    if (cp == '%' || cp == '*') return make_error(Errc::invalid, "wildcard in mailbox name");
    i += n;
  }
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view seg =
        name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty()) return make_error(Errc::invalid, "empty hierarchy level in mailbox name");
    if (seg == "." || seg == "..") return make_error(Errc::invalid, "'.' or '..' level in mailbox name");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (name != "INBOX" && folder_for_name(name).size() > kMaxFolderBytes)
    return make_error(Errc::invalid, "mailbox name too long for a folder");
  return {};
}

std::string folder_for_name(std::string_view name) {
  if (name == "INBOX") return {};
  std::string out;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    std::string_view seg =
        name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    out += '.';
    out += mutf7_encode(seg, ".");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::optional<std::string> name_for_folder(std::string_view dir) {
  if (dir.size() < 2 || dir[0] != '.' || dir == "..") return std::nullopt;
  std::string name;
  size_t start = 1;
  while (true) {
    size_t dot = dir.find('.', start);
    std::string_view seg =
        dir.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (seg.empty()) return std::nullopt;
    auto dec = mutf7_decode(seg);
    if (!dec) {
      // Raw UTF-8 folder names (Dovecot with UTF-8 names, other tools).
      if (!valid_utf8(seg)) return std::nullopt;
      dec = std::string(seg);
    }
    if (!name.empty()) name += '/';
    name += *dec;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (!validate_name(name)) return std::nullopt;
  return name;
}

std::string flags_to_letters(uint8_t system) {
  std::string out;
  if (system & kDraft) out += 'D';
  if (system & kFlagged) out += 'F';
  if (system & kAnswered) out += 'R';
  if (system & kSeen) out += 'S';
  if (system & kDeleted) out += 'T';
  return out;
}

uint8_t letters_to_flags(std::string_view letters) {
  uint8_t f = 0;
  for (char c : letters) {
    switch (c) {
      case 'D': f |= kDraft; break;
      case 'F': f |= kFlagged; break;
      case 'R': f |= kAnswered; break;
      case 'S': f |= kSeen; break;
      case 'T': f |= kDeleted; break;
      default: break;
    }
  }
  return f;
}

FileName parse_file_name(std::string_view name) {
  FileName out;
  size_t colon = name.find(':');
  std::string_view head = name.substr(0, colon);
  if (colon != std::string_view::npos) {
    std::string_view info = name.substr(colon + 1);
    if (info.starts_with("2,")) {
      out.flags = letters_to_flags(info.substr(2));
      for (char c : info.substr(2))
        if (c >= 'a' && c <= 'z') out.keyword_letters += c;
    }
  }
  size_t comma = head.find(',');
  out.base = std::string(head.substr(0, comma));
  while (comma != std::string_view::npos) {
    size_t next = head.find(',', comma + 1);
    std::string_view field = head.substr(comma + 1, next == std::string_view::npos ? std::string_view::npos
                                                                                 : next - comma - 1);
    if (field.starts_with("S=")) {
      if (auto v = ascii::parse_u64(field.substr(2))) out.size = *v;
    } else if (field.starts_with("U=")) {
      if (auto v = ascii::parse_u64(field.substr(2), UINT32_MAX); v && *v > 0) out.uid = uint32_t(*v);
    }
    comma = next;
  }
  return out;
}

std::string make_file_name(std::string_view base, uint64_t size, uint32_t uid, uint8_t flags) {
  std::string out(base);
  out += ",S=" + std::to_string(size) + ",U=" + std::to_string(uid) + ":2,";
  out += flags_to_letters(flags);
  return out;
}

std::string make_unique_name() {
  static std::atomic<uint64_t> seq{0};
  static const std::string host = [] {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return std::string("localhost");
    std::string h;
    for (char* p = buf; *p; ++p) {
      if (*p == '/') h += "\\057";
      else if (*p == ':') h += "\\072";
      else if (*p == ',') h += "\\054";
      else h += *p;
    }
    return h;
  }();
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  return std::to_string(us / 1000000) + ".M" + std::to_string(us % 1000000) + "P" +
         std::to_string(getpid()) + "Q" + std::to_string(++seq) + "." + host;
}

}  // namespace courriel::store::maildir
