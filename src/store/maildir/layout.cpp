#include "store/maildir/layout.h"

#include "base/mutf7.h"
#include "base/utf8.h"

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

}  // namespace

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
    auto dec = mutf7_decode(seg, ".");
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
