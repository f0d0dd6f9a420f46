#include "mail/decode.h"

#include <iconv.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "base/utf8.h"
#include "mail/header.h"

namespace courriel::mail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// windows-1252 0x80..0x9F (the WHATWG mapping: undefined bytes map to C1).
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::string from_cp1252(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if (b < 0x80) out.push_back(c);
    else if (b < 0xA0) append_utf8(out, kCp1252High[b - 0x80]);
    else append_utf8(out, b);
  }
  return out;
}

// Text labelled ASCII or Latin-1 (or not labelled): UTF-8 if it is, else
// windows-1252 (a superset of the printable Latin-1 range).
std::string lenient_8bit(std::string_view s) {
  if (valid_utf8(s)) return std::string(s);
  return from_cp1252(s);
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int b64(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string base64_lenient(std::string_view s) {
  std::string out;
  out.reserve(s.size() / 4 * 3 + 3);
  uint32_t acc = 0;
  int n = 0;
  auto flush = [&] {
    if (n >= 2) out.push_back(char((acc >> (6 * n - 8)) & 0xFF));
    if (n >= 3) out.push_back(char((acc >> (6 * n - 16)) & 0xFF));
    acc = 0;
    n = 0;
  };
  for (char c : s) {
    if (c == '=') {
      flush();
      continue;
    }
    int v = b64(c);
    if (v < 0) continue;
    acc = (acc << 6) | uint32_t(v);
    if (++n == 4) {
      out.push_back(char((acc >> 16) & 0xFF));
      out.push_back(char((acc >> 8) & 0xFF));
      out.push_back(char(acc & 0xFF));
      acc = 0;
      n = 0;
    }
  }
  flush();
  return out;
}

std::string quoted_printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    // One line, without its line break.
    size_t eol = s.find('\n', i);
    size_t next = eol == std::string_view::npos ? s.size() : eol + 1;
    size_t end = eol == std::string_view::npos ? s.size() : eol;
    bool crlf = end > i && s[end - 1] == '\r';
    if (crlf) --end;
    std::string_view line = s.substr(i, end - i);
    // Trailing whitespace is transport padding (RFC 2045 §6.7 rule 3).
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool soft = !line.empty() && line.back() == '=';
    if (soft) line.remove_suffix(1);
    for (size_t j = 0; j < line.size(); ++j) {
      char c = line[j];
      if (c == '=' && j + 2 < line.size()) {
        int h = hex(line[j + 1]);
        int l = hex(line[j + 2]);
        if (h >= 0 && l >= 0) {
          out.push_back(char(h * 16 + l));
          j += 2;
          continue;
        }
      }
      out.push_back(c);
    }
    if (!soft && eol != std::string_view::npos) out.append(crlf ? "\r\n" : "\n");
    i = next;
  }
  return out;
}

enum class Native { none, utf8, lenient };

struct Charset {
  Native native = Native::none;
  const char* iconv_name = nullptr;  // when native == none
};

std::optional<Charset> lookup_charset(std::string_view name) {
  std::string n = ascii::lower(name);
  while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.pop_back();
  while (!n.empty() && (n.front() == ' ' || n.front() == '\t')) n.erase(0, 1);
  if (n.starts_with("x-") && n != "x-sjis" && n != "x-euc-jp" && n != "x-gbk") n.erase(0, 2);
  if (n == "utf-8" || n == "utf8" || n == "unicode-1-1-utf-8") return Charset{Native::utf8};
  if (n == "us-ascii" || n == "ascii" || n == "ansi_x3.4-1968" || n == "us" ||
      n == "iso-8859-1" || n == "iso8859-1" || n == "iso_8859-1" || n == "latin1" ||
      n == "l1" || n == "iso-ir-100" || n == "cp819" || n == "windows-1252" ||
      n == "cp1252" || n == "iso_8859-1:1987")
    return Charset{Native::lenient};
  static constexpr const char* kIso[] = {
      nullptr, nullptr, "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5",
      "ISO-8859-6", "ISO-8859-7", "ISO-8859-8", "ISO-8859-9", "ISO-8859-10", "ISO-8859-11",
      nullptr, "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "ISO-8859-16"};
  for (std::string_view prefix : {"iso-8859-", "iso8859-", "iso_8859-", "iso8859"}) {
    if (n.starts_with(prefix)) {
      std::string_view rest = std::string_view(n).substr(prefix.size());
      if (rest.ends_with("-i") || rest.ends_with("-e")) rest.remove_suffix(2);  // 8859-8-i
      auto v = ascii::parse_u64(rest, 16);
      if (v && kIso[*v]) return Charset{Native::none, kIso[*v]};
      return std::nullopt;
    }
  }
  static constexpr const char* kWin[] = {"CP1250", "CP1251", nullptr, "CP1253", "CP1254",
                                         "CP1255", "CP1256", "CP1257", "CP1258"};
  for (std::string_view prefix : {"windows-", "cp", "win-"}) {
    if (n.starts_with(prefix)) {
      auto v = ascii::parse_u64(std::string_view(n).substr(prefix.size()), 99999);
      if (v && *v >= 1250 && *v <= 1258 && kWin[*v - 1250])
        return Charset{Native::none, kWin[*v - 1250]};
      if (v && (*v == 932)) return Charset{Native::none, "CP932"};
      if (v && (*v == 936)) return Charset{Native::none, "GB18030"};
      if (v && (*v == 949)) return Charset{Native::none, "CP949"};
      if (v && (*v == 950)) return Charset{Native::none, "BIG5"};
      if (v && (*v == 866)) return Charset{Native::none, "CP866"};
      if (v && (*v == 874)) return Charset{Native::none, "CP874"};
      return std::nullopt;
    }
  }
  struct Alias {
    std::string_view name;
    const char* iconv;
  };
  static constexpr Alias kAliases[] = {
      {"koi8-r", "KOI8-R"},          {"koi8r", "KOI8-R"},
      {"koi8-u", "KOI8-U"},          {"iso-2022-jp", "ISO-2022-JP-2"},
      {"csiso2022jp", "ISO-2022-JP-2"}, {"iso-2022-jp-2", "ISO-2022-JP-2"},
      {"gb2312", "GB18030"},         {"gbk", "GB18030"},
      {"x-gbk", "GB18030"},          {"gb18030", "GB18030"},
      {"euc-cn", "GB18030"},         {"csgb2312", "GB18030"},
      {"gb_2312-80", "GB18030"},     {"big5", "BIG5"},
      {"big-5", "BIG5"},             {"cn-big5", "BIG5"},
      {"csbig5", "BIG5"},            {"big5-hkscs", "BIG5-HKSCS"},
      {"shift_jis", "CP932"},        {"shift-jis", "CP932"},
      {"sjis", "CP932"},             {"x-sjis", "CP932"},
      {"ms_kanji", "CP932"},         {"windows-31j", "CP932"},
      {"csshiftjis", "CP932"},       {"euc-jp", "EUC-JP"},
      {"x-euc-jp", "EUC-JP"},        {"eucjp", "EUC-JP"},
      {"euc-kr", "CP949"},           {"euckr", "CP949"},
      {"ks_c_5601-1987", "CP949"},   {"ks_c_5601", "CP949"},
      {"korean", "CP949"},           {"latin2", "ISO-8859-2"},
      {"latin9", "ISO-8859-15"},     {"tis-620", "TIS-620"},
      {"utf-16", "UTF-16"},          {"utf-16le", "UTF-16LE"},
      {"utf-16be", "UTF-16BE"},
  };
  for (const auto& a : kAliases)
    if (n == a.name) return Charset{Native::none, a.iconv};
  return std::nullopt;
}

// Per-thread iconv descriptors, opened on first use of each charset.
class IconvCache {
 public:
  ~IconvCache() {
    for (auto& e : entries_) iconv_close(e.second);
  }
  iconv_t get(const char* name) {
    for (auto& e : entries_)
      if (e.first == name) {
        iconv(e.second, nullptr, nullptr, nullptr, nullptr);  // reset shift state
        return e.second;
      }
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == reinterpret_cast<iconv_t>(-1)) return cd;
    entries_.emplace_back(name, cd);
    return cd;
  }

 private:
  std::vector<std::pair<const char*, iconv_t>> entries_;
};

std::optional<std::string> convert_iconv(std::string_view bytes, const char* name) {
  thread_local IconvCache cache;
  iconv_t cd = cache.get(name);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out;
  out.resize(bytes.size() * 2 + 16);
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t used = 0;
  bool flushed = false;
  while (true) {
    char* o = out.data() + used;
    size_t o_left = out.size() - used;
    size_t r = in_left > 0 ? iconv(cd, &in, &in_left, &o, &o_left)
                           : iconv(cd, nullptr, nullptr, &o, &o_left);
    used = size_t(o - out.data());
    if (r != size_t(-1)) {
      if (in_left == 0) {
        if (flushed) break;
        flushed = true;  // one more call to flush the shift state
      }
      continue;
    }
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    // EILSEQ or EINVAL (truncated sequence): one replacement, skip a byte.
    if (out.size() - used < kReplacement.size()) out.resize(out.size() * 2);
    out.replace(used, kReplacement.size(), kReplacement);
    used += kReplacement.size();
    if (in_left > 0) {
      ++in;
      --in_left;
    } else {
      break;
    }
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
  }
  out.resize(used);
  return sanitize_utf8(out);
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

struct EncodedWord {
  std::string charset;
  std::string bytes;
  size_t end = 0;  // offset just past "?="
};

// Remembers the last search for "?=" and for whitespace, so that scanning a
// long run of "=?" openers without a close stays linear: the first match at
// or after a later start is the same one while the start has not passed it.
struct Scan {
  size_t close_from = std::string_view::npos, close_at = 0;
  size_t ws_from = std::string_view::npos, ws_at = 0;

  size_t close(std::string_view s, size_t from) {
    if (close_from == std::string_view::npos || from < close_from || from > close_at) {
      close_from = from;
      close_at = s.find("?=", from);
    }
    return close_at;
  }
  size_t whitespace(std::string_view s, size_t from) {
    if (ws_from == std::string_view::npos || from < ws_from || from > ws_at) {
      ws_from = from;
      ws_at = s.find_first_of(" \t\r\n", from);
    }
    return ws_at;
  }
};

// An encoded word "=?charset?B|Q?text?=" at s[i], else nullopt.
std::optional<EncodedWord> encoded_word_at(std::string_view s, size_t i, Scan& scan) {
  if (s.substr(i, 2) != "=?") return std::nullopt;
  size_t q1 = s.find('?', i + 2);
  if (q1 == std::string_view::npos || q1 == i + 2 || q1 + 3 > s.size()) return std::nullopt;
  if (s[q1 + 2] != '?') return std::nullopt;
  char enc = ascii::to_upper(s[q1 + 1]);
  if (enc != 'B' && enc != 'Q') return std::nullopt;
  size_t text_start = q1 + 3;
  // Neither the charset nor the text may hold whitespace.
  size_t ws = scan.whitespace(s, i);
  if (ws < q1) return std::nullopt;
  size_t close = scan.close(s, text_start);
  if (close == std::string_view::npos || ws < close) return std::nullopt;
  std::string_view charset = s.substr(i + 2, q1 - i - 2);
  std::string_view text = s.substr(text_start, close - text_start);
  EncodedWord w;
  size_t star = charset.find('*');  // RFC 2231 §5 language suffix
  w.charset = std::string(charset.substr(0, star));
  if (enc == 'B') {
    w.bytes = base64_lenient(text);
  } else {
    for (size_t j = 0; j < text.size(); ++j) {
      char c = text[j];
      if (c == '_') {
        w.bytes.push_back(' ');
      } else if (c == '=' && j + 2 < text.size() && hex(text[j + 1]) >= 0 &&
                 hex(text[j + 2]) >= 0) {
        w.bytes.push_back(char(hex(text[j + 1]) * 16 + hex(text[j + 2])));
        j += 2;
      } else {
        w.bytes.push_back(c);
      }
    }
  }
  w.end = close + 2;
  return w;
}

}  // namespace

std::string sanitize_utf8(std::string_view s) {
  if (valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >= 0xC2 && b <= 0xDF) ? 2 : (b >= 0xE0 && b <= 0xEF) ? 3
                               : (b >= 0xF0 && b <= 0xF4) ? 4 : 0;
    if (len == 1) {
      out.push_back(s[i++]);
      continue;
    }
    if (len > 0 && i + len <= s.size() && valid_utf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    out.append(kReplacement);
    ++i;
  }
  return out;
}

std::optional<std::string> to_utf8(std::string_view bytes, std::string_view charset) {
  auto cs = lookup_charset(charset);
  if (!cs) return std::nullopt;
  switch (cs->native) {
    case Native::utf8:
      return sanitize_utf8(bytes);
    case Native::lenient:
      return lenient_8bit(bytes);
    case Native::none:
      break;
  }
  return convert_iconv(bytes, cs->iconv_name);
}

std::string decode_header_text(std::string_view s) {
  // Most values are plain ASCII without encoded words or folding: as they are.
  bool plain = s.find("=?") == std::string_view::npos;
  for (size_t i = 0; plain && i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    plain = c < 0x80 && c != '\r' && c != '\n';
  }
  if (plain) return std::string(s);
  std::string out;
  std::string raw;           // raw text not yet converted
  std::string gap;           // whitespace after an encoded word
  std::string pending;       // decoded bytes of adjacent encoded words
  std::string pending_cs;    // their charset
  bool after_word = false;
  Scan scan;
  auto flush_pending = [&] {
    if (pending_cs.empty() && pending.empty()) return;
    auto text = to_utf8(pending, pending_cs);
    out += text ? *text : sanitize_utf8(pending);
    pending.clear();
    pending_cs.clear();
  };
  auto flush_raw = [&] {
    if (raw.empty()) return;
    out += lenient_8bit(raw);
    raw.clear();
  };
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '=' && i + 1 < s.size() && s[i + 1] == '?') {
      auto w = encoded_word_at(s, i, scan);
      if (w && lookup_charset(w->charset)) {
        flush_raw();
        if (!after_word) {
          out += gap;
        }
        gap.clear();
        if (!pending_cs.empty() && !ascii::iequals(pending_cs, w->charset)) flush_pending();
        pending_cs = w->charset;
        pending += w->bytes;
        after_word = true;
        i = w->end;
        continue;
      }
    }
    if (c == '\r' || c == '\n') {  // folding inside a value
      ++i;
      continue;
    }
    if (after_word && (c == ' ' || c == '\t')) {
      gap.push_back(c);
      ++i;
      continue;
    }
    if (after_word) {
      flush_pending();
      out += gap;
      gap.clear();
      after_word = false;
    }
    raw.push_back(c);
    ++i;
  }
  flush_pending();
  out += gap;
  flush_raw();
  return out;
}

Result<std::string> decode_transfer_encoding(std::string_view body, std::string_view encoding) {
  std::string e = trim(encoding);
  if (e.empty() || ascii::iequals(e, "7bit") || ascii::iequals(e, "8bit") ||
      ascii::iequals(e, "binary"))
    return std::string(body);
  if (ascii::iequals(e, "base64")) return base64_lenient(body);
  if (ascii::iequals(e, "quoted-printable")) return quoted_printable(body);
  return make_error(Errc::invalid, "unknown content transfer encoding");
}

namespace {

void search_text(std::string_view m, const BodyPart& p, std::string& out, int depth) {
  if (depth > kMaxDepth + 2) return;
  if (p.is_message()) {
    const BodyPart& inner = p.children[0];
    std::string_view header =
        inner.header_offset < m.size() ? m.substr(inner.header_offset, inner.header_size) : "";
    for (const auto& f : header_fields_of(header)) {
      out.append(f.name).append(": ").append(decode_header_text(unfold(f.value))).push_back('\n');
    }
    search_text(m, inner, out, depth + 1);
    return;
  }
  if (p.is_multipart()) {
    for (const auto& c : p.children) search_text(m, c, out, depth + 1);
    return;
  }
  if (!ascii::iequals(p.type, "text")) return;
  std::string_view body = p.body_offset < m.size() ? m.substr(p.body_offset, p.body_size) : "";
  auto decoded = decode_transfer_encoding(body, p.encoding);
  std::string bytes = decoded ? std::move(*decoded) : std::string(body);
  const std::string* cs = p.param("charset");
  std::optional<std::string> text = cs ? to_utf8(bytes, *cs) : std::nullopt;
  out += text ? *text : lenient_8bit(bytes);
  out.push_back('\n');
}

}  // namespace

std::string text_for_search(std::string_view message, const BodyPart& part) {
  std::string out;
  search_text(message, part, out, 0);
  return out;
}

}  // namespace courriel::mail
