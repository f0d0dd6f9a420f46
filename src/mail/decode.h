// Decoding of what MIME encodes: encoded words (RFC 2047), content transfer
// encodings (RFC 2045 §6), charsets (to UTF-8, RFC 3629), and the decoded
// text SEARCH BODY/TEXT look in. Pure functions, thread-safe (iconv
// descriptors are cached per thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "mail/message.h"

namespace courriel::mail {

// Unstructured header text or a phrase with its RFC 2047 encoded words
// decoded, as UTF-8. Adjacent encoded words separated only by whitespace are
// joined (and, with the same charset, their bytes are joined before
// conversion, so a character split across words survives); B and Q encodings;
// an "=?charset*lang?" suffix is ignored (RFC 2231 §5). An encoded word in an
// unknown charset or with a bad encoding stays as written. Raw 8-bit text is
// kept when it is valid UTF-8, else read as windows-1252. Invalid bytes in
// decoded words become U+FFFD.
std::string decode_header_text(std::string_view raw);

// A body decoded from the content transfer encoding `encoding` (ASCII
// case-insensitive, surrounding whitespace ignored). 7bit, 8bit, binary and
// "" are the identity; base64 is decoded leniently (bytes outside the
// alphabet are skipped, '=' ends a quantum, a trailing partial quantum gives
// what bytes it holds); quoted-printable keeps its line breaks, removes soft
// line breaks ("=" [whitespace] line break) and trailing whitespace, and keeps
// malformed "=" sequences as written. Anything else: Errc::invalid (IMAP
// BINARY answers [UNKNOWN-CTE]).
Result<std::string> decode_transfer_encoding(std::string_view body, std::string_view encoding);

// `bytes` in `charset` converted to UTF-8, or nullopt when the charset is not
// one we convert. Names are ASCII case-insensitive with the usual aliases:
// utf-8, us-ascii, iso-8859-1..16, windows-1250..1258, koi8-r, koi8-u,
// iso-2022-jp, gb2312/gbk/gb18030 (read as GB18030), big5, shift_jis,
// euc-jp, euc-kr (read as CP949). us-ascii and iso-8859-1 text that is not
// ASCII is read as UTF-8 when valid, else windows-1252, as mail clients do.
// Undecodable bytes become U+FFFD. Only these charsets reach iconv.
std::optional<std::string> to_utf8(std::string_view bytes, std::string_view charset);

// `bytes` with every ill-formed UTF-8 sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view bytes);

// The decoded UTF-8 text of `part` and what it contains: every text/* leaf
// (transfer-decoded, then converted from its charset; an unknown charset or
// encoding is read leniently), and the decoded header fields of every
// encapsulated message, separated by newlines. `message` is the whole message
// the part's offsets point into.
std::string text_for_search(std::string_view message, const BodyPart& part);

}  // namespace courriel::mail
