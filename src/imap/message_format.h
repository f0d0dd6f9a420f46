// ENVELOPE, BODY and BODYSTRUCTURE in IMAP syntax (RFC 9051 §7.5.2, RFC 3501
// §7.4.2) from the message parser's values. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mail/cache.h"
#include "mail/message.h"

namespace courriel::imap {

// "(date subject (from) (sender) (reply-to) (to) (cc) (bcc) in-reply-to message-id)".
void append_envelope(std::string& out, const mail::Envelope& envelope, bool utf8);

// BODYSTRUCTURE (extensible = true: with the extension data) or BODY.
void append_body_structure(std::string& out, const mail::BodyPart& part, bool extensible,
                           bool utf8);

// What IMAP keeps in the index cache beside the parsed structure (the
// StoreSettings::make_cache extras, mail/cache.h): the ENVELOPE,
// BODYSTRUCTURE and BODY answers as written for a session without UTF-8
// (RFC 9051 §7.5.2). FETCH copies them instead of decoding the structure.
inline constexpr char kCachedEnvelope = 'E';
inline constexpr char kCachedBodyStructure = 'B';
inline constexpr char kCachedBody = 'b';
// And the header fields clients fetch at sync and search most (Thunderbird's
// header sync list, RFC 5322 names), as BODY[HEADER.FIELDS (...)] gives them:
// a header sync or SEARCH FROM reads these few hundred bytes, not the header.
inline constexpr char kCachedHeaderFields = 'H';
const std::vector<std::string>& cached_header_fields();
// Whether every name is in cached_header_fields() (case-insensitively).
bool in_cached_header_fields(const std::vector<std::string>& names);
std::vector<mail::CacheExtra> cache_extras(const mail::ParsedMessage& parsed, std::string_view header);

}  // namespace courriel::imap
