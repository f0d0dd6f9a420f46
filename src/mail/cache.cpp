#include "mail/cache.h"

#include <cstdint>

#include "mail/header_section.h"
#include "mail/serialize.h"

namespace courriel::mail {
namespace {

// blob = 'C' version(1) complete(1) len(4, little-endian) serialized header
constexpr char kMagic = 'C';
constexpr char kVersion = 1;
constexpr size_t kPrefix = 7;

}  // namespace

std::string build_cache(std::string_view message) {
  std::string parsed = serialize(parse_message(message));
  size_t header_len = body_offset(message).value_or(message.size());
  bool complete = header_len <= kMaxCachedHeader;
  std::string_view header = complete ? message.substr(0, header_len) : std::string_view();
  std::string out;
  out.reserve(kPrefix + parsed.size() + header.size());
  out += kMagic;
  out += kVersion;
  out += char(complete ? 1 : 0);
  for (int i = 0; i < 4; ++i) out += char((parsed.size() >> (8 * i)) & 0xff);
  out += parsed;
  out += header;
  return out;
}

std::optional<CacheView> view_cache(std::string_view blob) {
  if (blob.size() < kPrefix || blob[0] != kMagic || blob[1] != kVersion) return std::nullopt;
  uint64_t len = 0;
  for (int i = 0; i < 4; ++i) len |= uint64_t(uint8_t(blob[3 + i])) << (8 * i);
  if (len > blob.size() - kPrefix) return std::nullopt;
  return CacheView{blob.substr(kPrefix, len), blob.substr(kPrefix + len), blob[2] == 1};
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
