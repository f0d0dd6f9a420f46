// The parsed form of an RFC 5322 / MIME message that IMAP's ENVELOPE and
// BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) and section fetches need.
// Pure: bytes in, values out; thread-safe; never throws on any input.
//
// Leniency (what real mail needs, decided once here):
// - Line ends may be CRLF or bare LF, mixed. Sizes and offsets count the bytes
//   as stored (no LF -> CRLF correction).
// - Header bytes may be 8-bit; they are kept raw.
// - Duplicate fields: the first occurrence wins (Content-*, Subject, From ...).
// - A missing or unparsable Content-Type ("text", "garbage", "/x") means
//   text/plain; charset=us-ascii (RFC 2045 §5.2); parameters that do parse
//   are kept, and charset=us-ascii is added when absent. In multipart/digest a
//   part without Content-Type is message/rfc822 (RFC 2046 §5.1.5).
// - A boundary line is "--" boundary, optionally "--", then only whitespace
//   (RFC 2046 §5.1.1 transport padding). The line break before it belongs to it.
// - A missing close delimiter: the last part ends at the end of its parent.
//   Preamble and epilogue are skipped.
// - Invariant the IMAP layer relies on: type "multipart" <=> children is not
//   empty, and message/rfc822 or message/global <=> envelope is set and
//   children holds exactly the encapsulated message's body. So:
//   * multipart without a boundary parameter, or whose body holds no boundary
//     line, becomes text/plain (its body is then readable as BODY[1]);
//   * a message/rfc822 (or /global) part with a base64/quoted-printable
//     encoding, and any multipart or message part nested deeper than
//     kMaxDepth, becomes application/octet-stream (opaque).
// - Address header syntax: see address.h.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace courriel::mail {

// IMAP's address structure (RFC 3501 §7.4.2), bytes as in the header: encoded
// words are NOT decoded. Group start: mailbox = group name, host = nullopt,
// name = adl = nullopt; group end: all nullopt.
struct Address {
  std::optional<std::string> name, adl, mailbox, host;
  bool operator==(const Address&) const = default;
};

// IMAP's envelope. Values are raw field values, unfolded and trimmed; nullopt
// when the field is absent. sender and reply_to equal from when absent or
// empty (RFC 3501 §7.4.2). message_id is the first "<...>" of Message-ID when
// there is one (comments and junk around it dropped), else the raw value;
// in_reply_to is the raw value.
struct Envelope {
  std::optional<std::string> date, subject;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;
  std::optional<std::string> in_reply_to, message_id;
  bool operator==(const Envelope&) const = default;
};

struct Param {
  std::string name;   // as written (RFC 2231 sections merged under the base name)
  std::string value;  // quotes removed; RFC 2231 values decoded to UTF-8
  bool operator==(const Param&) const = default;
};

// One MIME entity. For a multipart, children are its parts; for
// message/rfc822 and message/global, `envelope` is the encapsulated header's
// envelope and children[0] the encapsulated message's body. Offsets are byte
// offsets into the whole message:
//   header_offset/header_size: the part's (MIME) header including the empty
//     line that ends it: BODY[n.MIME], or BODY[HEADER] for the root;
//   body_offset/body_size: its body: BODY[n], or BODY[TEXT] for the root.
// For a message/rfc822 part n, BODY[n.HEADER] and BODY[n.TEXT] are the
// header and body ranges of children[0].
struct BodyPart {
  std::string type = "text", subtype = "plain";  // as written
  std::vector<Param> params;
  std::optional<std::string> id, description;
  std::string encoding = "7BIT";  // as written, default 7BIT
  uint64_t size = 0;              // octets of the body as stored (= body_size)
  uint64_t lines = 0;             // text/* and message/*: lines of the body
  std::optional<std::string> md5;
  std::optional<std::string> disposition;  // disposition type, as written
  std::vector<Param> disposition_params;
  std::vector<std::string> language;
  std::optional<std::string> location;
  uint64_t header_offset = 0, header_size = 0, body_offset = 0, body_size = 0;
  std::optional<Envelope> envelope;  // message/rfc822, message/global
  std::vector<BodyPart> children;

  bool is_multipart() const { return !children.empty() && !envelope; }
  bool is_message() const { return envelope.has_value() && children.size() == 1; }
  // The value of parameter `name` (ASCII case-insensitive), or nullptr.
  const std::string* param(std::string_view name) const;
  bool operator==(const BodyPart&) const = default;
};

struct ParsedMessage {
  Envelope envelope;
  BodyPart body;
  bool operator==(const ParsedMessage&) const = default;
};

// Multiparts and messages nested deeper than this are opaque.
inline constexpr int kMaxDepth = 50;

// Total: any bytes give a ParsedMessage; time is O(kMaxDepth * size).
ParsedMessage parse_message(std::string_view bytes);

// Envelope of a header section (up to its empty line or end).
Envelope parse_envelope(std::string_view header);

// The part IMAP calls `part_numbers` (RFC 3501 §6.4.5), or nullptr. `root`
// is the message's body; an empty path is the root. Part 1 of a non-multipart
// message is its body; after a message/rfc822 part, numbering continues in the
// encapsulated message (whose non-multipart body is again part 1).
const BodyPart* find_part(const BodyPart& root, std::span<const uint32_t> part_numbers);

// Whether `part` holds text whose lines BODYSTRUCTURE reports (text/*,
// message/rfc822, message/global).
bool has_lines(const BodyPart& part);

}  // namespace courriel::mail
