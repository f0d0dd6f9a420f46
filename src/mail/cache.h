// The per-message cache the store keeps in its index (StoreSettings::make_cache):
// the parsed structure and the raw header block, so that ENVELOPE,
// BODYSTRUCTURE, header-field fetches and header searches never reopen the
// message file (DESIGN §3, §5). Pure.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mail/message.h"

namespace courriel::mail {

// Headers longer than this are not cached whole (the file is read instead).
inline constexpr size_t kMaxCachedHeader = 256 * 1024;

struct MessageCache {
  ParsedMessage parsed;
  std::string header;          // the header block, with the empty line that ends it
  bool header_complete = true;  // false: longer than kMaxCachedHeader, read the file
};

// Small texts a protocol derives from the parsed message, by tag, kept by
// the store apart from the blob (StoreSettings::make_cache extras) so that a
// reader wanting one of them for 100,000 messages reads only those: IMAP's
// ENVELOPE and BODYSTRUCTURE answers, the THREAD/SORT key (as Dovecot's
// cache keeps imap.bodystructure and the sent date). Opaque here.
struct CacheExtra {
  char tag = 0;
  std::string text;
};
using CacheExtras = std::function<std::vector<CacheExtra>(const ParsedMessage&, std::string_view header)>;

// A cache blob read without decoding the structure: the header block is a
// view into the blob, the structure is decoded only when asked (parse()).
struct CacheView {
  std::string_view serialized;  // mail::serialize() output
  std::string_view header;
  bool header_complete = true;
  std::optional<ParsedMessage> parse() const;
};

struct BuiltCache {
  std::string blob;
  std::vector<CacheExtra> extras;  // what `extras` made of the message
};
BuiltCache build_cache(std::string_view message, const CacheExtras& extras = {});
// A smaller blob for a reader that needs only some of `view` (a view of a
// blob): `header` in place of the header block (the block itself, a subset
// of its fields, or ""; header_complete is kept, so the reader still knows
// whether the index had it), the serialized structure only if `structure`.
std::string project_cache(const CacheView& view, std::string_view header, bool structure);
// nullopt for an empty, foreign or damaged blob. Views into `blob`.
std::optional<CacheView> view_cache(std::string_view blob);
// nullopt for an empty, foreign or damaged blob (the caller reads the file).
std::optional<MessageCache> read_cache(std::string_view blob);

}  // namespace courriel::mail
