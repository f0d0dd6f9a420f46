#include "mail/cache.h"

#include <cstdint>

#include "mail/header_section.h"
#include "mail/serialize.h"

namespace courriel::mail {
namespace {

// blob = 'C' version(1) complete(1) serialized_len(4) extras_len(4)
//        serialized extras header           (lengths little-endian)
// Version 1 had no extras_len and no extras; it is still read.
constexpr char kMagic = 'C';
constexpr char kVersion = 2;
constexpr size_t kPrefix = 11;

void put32(std::string& out, size_t v) {
  for (int i = 0; i < 4; ++i) out += char((v >> (8 * i)) & 0xff);
}

uint64_t get32(std::string_view s, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint64_t(uint8_t(s[at + i])) << (8 * i);
  return v;
}

std::string assemble(bool complete, std::string_view serialized, std::string_view extras,
                     std::string_view header) {
  std::string out;
  out.reserve(kPrefix + serialized.size() + extras.size() + header.size());
  out += kMagic;
  out += kVersion;
  out += char(complete ? 1 : 0);
  put32(out, serialized.size());
  put32(out, extras.size());
  out += serialized;
  out += extras;
  out += header;
  return out;
}

}  // namespace

std::string build_cache(std::string_view message, const CacheExtras& make_extras) {
  ParsedMessage parsed = parse_message(message);
  size_t header_len = body_offset(message).value_or(message.size());
  std::string extras;
  if (make_extras)
    for (const auto& e : make_extras(parsed, message.substr(0, header_len))) {
      extras += e.tag;
      put32(extras, e.text.size());
      extras += e.text;
    }
  bool complete = header_len <= kMaxCachedHeader;
  std::string_view header = complete ? message.substr(0, header_len) : std::string_view();
  return assemble(complete, serialize(parsed), extras, header);
}

std::string project_cache(const CacheView& v, std::string_view header, bool structure,
                          std::string_view tags) {
  std::string extras;
  for (size_t at = 0; at + 5 <= v.extras.size();) {
    uint64_t len = get32(v.extras, at + 1);
    if (len > v.extras.size() - at - 5) break;
    if (tags.find(v.extras[at]) != std::string_view::npos) extras += v.extras.substr(at, 5 + len);
    at += 5 + len;
  }
  return assemble(v.header_complete, structure ? v.serialized : std::string_view(), extras, header);
}

std::optional<CacheView> view_cache(std::string_view blob) {
  if (blob.size() < 7 || blob[0] != kMagic || (blob[1] != 1 && blob[1] != kVersion)) return std::nullopt;
  if (blob[1] == 1) {
    uint64_t len = get32(blob, 3);
    if (len > blob.size() - 7) return std::nullopt;
    return CacheView{blob.substr(7, len), blob.substr(7 + len), blob[2] == 1, {}};
  }
  if (blob.size() < kPrefix) return std::nullopt;
  uint64_t len = get32(blob, 3), elen = get32(blob, 7);
  if (len > blob.size() - kPrefix || elen > blob.size() - kPrefix - len) return std::nullopt;
  return CacheView{blob.substr(kPrefix, len), blob.substr(kPrefix + len + elen), blob[2] == 1,
                   blob.substr(kPrefix + len, elen)};
}

std::optional<std::string_view> CacheView::extra(char tag) const {
  for (size_t at = 0; at + 5 <= extras.size();) {
    uint64_t len = get32(extras, at + 1);
    if (len > extras.size() - at - 5) return std::nullopt;
    if (extras[at] == tag) return extras.substr(at + 5, len);
    at += 5 + len;
  }
  return std::nullopt;
}

std::optional<ParsedMessage> CacheView::parse() const { return deserialize(serialized); }

std::optional<MessageCache> read_cache(std::string_view blob) {
  auto view = view_cache(blob);
  if (!view) return std::nullopt;
  auto parsed = view->parse();
  if (!parsed) return std::nullopt;
  return MessageCache{std::move(*parsed), std::string(view->header), view->header_complete};
}

}  // namespace courriel::mail
