// ENVELOPE, BODY and BODYSTRUCTURE in IMAP syntax (RFC 9051 §7.5.2, RFC 3501
// §7.4.2) from the message parser's values. Pure.
#pragma once

#include <string>
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
std::vector<mail::CacheExtra> cache_extras(const mail::ParsedMessage& parsed);

}  // namespace courriel::imap
