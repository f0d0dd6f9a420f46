// The per-message cache the store keeps in its index (StoreSettings::make_cache):
// the parsed structure and the raw header block, so that ENVELOPE,
// BODYSTRUCTURE, header-field fetches and header searches never reopen the
// message file (DESIGN §3, §5). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mail/message.h"

namespace courriel::mail {

// Headers longer than this are not cached whole (the file is read instead).
inline constexpr size_t kMaxCachedHeader = 256 * 1024;

struct MessageCache {
  ParsedMessage parsed;
  std::string header;          // the header block, with the empty line that ends it
  bool header_complete = true;  // false: longer than kMaxCachedHeader, read the file
};

// A cache blob read without decoding the structure: the header block is a
// view into the blob, the structure is decoded only when asked (parse()).
struct CacheView {
  std::string_view serialized;  // mail::serialize() output
  std::string_view header;
  bool header_complete = true;
  std::optional<ParsedMessage> parse() const;
};

std::string build_cache(std::string_view message);
// nullopt for an empty, foreign or damaged blob. Views into `blob`.
std::optional<CacheView> view_cache(std::string_view blob);
// nullopt for an empty, foreign or damaged blob (the caller reads the file).
std::optional<MessageCache> read_cache(std::string_view blob);

}  // namespace courriel::mail
