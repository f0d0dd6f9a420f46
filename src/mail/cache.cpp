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

std::string assemble(bool complete, std::string_view serialized, std::string_view header) {
  std::string out;
  out.reserve(kPrefix + serialized.size() + header.size());
  out += kMagic;
  out += kVersion;
  out += char(complete ? 1 : 0);
  for (int i = 0; i < 4; ++i) out += char((serialized.size() >> (8 * i)) & 0xff);
  out += serialized;
  out += header;
  return out;
}

}  // namespace

BuiltCache build_cache(std::string_view message, const CacheExtras& make_extras) {
  ParsedMessage parsed = parse_message(message);
  size_t header_len = body_offset(message).value_or(message.size());
  BuiltCache out;
  if (make_extras) out.extras = make_extras(parsed, message.substr(0, header_len));
  bool complete = header_len <= kMaxCachedHeader;
  std::string_view header = complete ? message.substr(0, header_len) : std::string_view();
  out.blob = assemble(complete, serialize(parsed), header);
  return out;
}

std::string project_cache(const CacheView& v, std::string_view header, bool structure) {
  return assemble(v.header_complete, structure ? v.serialized : std::string_view(), header);
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
