// SEARCH evaluation (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 7162 §3.1.5 MODSEQ,
// RFC 5032 OLDER/YOUNGER, RFC 5182 "$"): a parsed key tree is compiled once
// (strings converted to UTF-8 and case-mapped, sets normalised), then tested
// against each message through a MessageAccess, which loads what a key needs
// lazily. Pure: no I/O of its own; a CompiledSearch is immutable and may be
// shared between threads, a MessageAccess may not.
//
// Matching rules (decided once here):
// - Strings compare as substrings under i;unicode-casemap (casemap.h), the
//   needle mapped once at compile time; no regex, so matching is linear.
// - FROM/TO/CC/BCC/SUBJECT/HEADER look at every field of that name in
//   header(), unfolded and RFC 2047-decoded (mail::decode_header_text): for
//   address fields that is display names and addresses as written, like
//   Dovecot. HEADER name "" matches every message having the field.
// - BODY: the decoded text of the message body (mail::text_for_search: text
//   parts transfer-decoded and converted to UTF-8, encapsulated headers).
//   TEXT: BODY, or any decoded header field as "Name: value".
// - BEFORE/ON/SINCE: the calendar date of INTERNALDATE in the zone it was
//   given in (MessageMeta::internal_date_offset), as Dovecot does.
// - SENTBEFORE/SENTON/SENTSINCE: the date as written in the Date: field
//   (parse_date_time, obsolete forms accepted, the zone ignored as RFC 3501
//   says); a missing or unparsable Date: falls back to INTERNALDATE (its own
//   calendar date), as Dovecot does.
// - KEYWORD/UNKEYWORD compare keywords ASCII case-insensitively.
// - Sequence sets: "*" is SearchEnv::max_seq (max_uid for UID); "$" is the
//   saved result (RFC 5182), matched by UID for both keys; no saved result
//   matches nothing.
// - OLDER/YOUNGER n (RFC 5032): INTERNALDATE is older than now - n / at least
//   now - n.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "imap/parser/command.h"
#include "mail/message.h"
#include "store/store.h"

namespace courriel::search {

// What the engine may ask about one message; implemented by the IMAP layer over
// the index cache and the message file. Loaders are lazy: an implementation
// reads the file only when parsed()/raw() need it. Returned references and
// views stay valid until this object is destroyed or moved to another message.
class MessageAccess {
 public:
  virtual ~MessageAccess() = default;
  virtual uint32_t seq() const = 0;
  virtual const store::MessageMeta& meta() const = 0;
  virtual bool recent() const = 0;
  // The raw header block of the message (up to and including its empty line).
  virtual std::string_view header() = 0;
  // Envelope and MIME structure; offsets point into raw().
  virtual const mail::ParsedMessage& parsed() = 0;
  // The whole message as stored.
  virtual std::string_view raw() = 0;
  // A value the index cache keeps for the message (mail::CacheExtra, e.g.
  // kCachedThreadKey), if it has one.
  virtual std::optional<std::string_view> cached(char tag) {
    (void)tag;
    return std::nullopt;
  }
};

// The mailbox state a search runs against.
struct SearchEnv {
  uint32_t max_seq = 0;  // "*" in a sequence set: the number of messages
  uint32_t max_uid = 0;  // "*" in a UID set: the highest UID in the mailbox
  // "$" (RFC 5182): the saved result as UIDs, ascending; nullopt when none
  // was saved (then "$" matches nothing).
  std::optional<std::vector<uint32_t>> saved;
  int64_t now = 0;  // seconds since the epoch, for OLDER/YOUNGER
};

// What evaluating a search may load, so the caller can skip opening files.
struct Needs {
  bool header = false;  // header()
  bool parsed = false;  // parsed()
  bool body = false;    // raw()
  // The header fields header() is read for (names as written, compared
  // case-insensitively), unless all_fields: a caller may hand over only
  // those (SORT (DATE) on 100,000 messages needs 100,000 Date lines).
  std::vector<std::string> fields;
  bool all_fields = false;
  // A cache extra (MessageAccess::cached) that, where a message has it,
  // meets these needs without the header (SORT (DATE), THREAD); 0: none.
  char cached_instead = 0;
  // Only the first this many lines of that extra are read (0: all of it).
  size_t cached_lines = 0;
};
// What evaluating both loads.
Needs operator|(Needs a, const Needs& b);

class CompiledSearch {
 public:
  struct Node;
  CompiledSearch();
  ~CompiledSearch();
  CompiledSearch(CompiledSearch&&) noexcept;
  CompiledSearch& operator=(CompiledSearch&&) noexcept;

  // Whether a MODSEQ key appears (the response then carries the highest
  // modseq of the matches, RFC 7162 §3.1.5).
  bool uses_modseq() const { return uses_modseq_; }
  // Whether "$" appears (RFC 5182 §2.1: the command must wait for the save).
  bool uses_saved() const { return uses_saved_; }
  const Needs& needs() const { return needs_; }

 private:
  friend Result<CompiledSearch> compile(const imap::SearchKey&, std::optional<std::string_view>);
  friend bool matches(const CompiledSearch&, MessageAccess&, const SearchEnv&);
  std::unique_ptr<Node> root_;
  bool uses_modseq_ = false;
  bool uses_saved_ = false;
  Needs needs_;
};

// Compiles `root`, converting every string from `charset` to UTF-8
// (mail::to_utf8); nullopt or "" charset: US-ASCII/UTF-8 (bytes that are not
// valid UTF-8 are repaired). Errc::not_found when the charset is unknown: the
// IMAP layer answers NO [BADCHARSET (...)] (RFC 9051 §6.4.4).
Result<CompiledSearch> compile(const imap::SearchKey& root,
                               std::optional<std::string_view> charset);

// Whether message `m` satisfies `search`.
bool matches(const CompiledSearch& search, MessageAccess& m, const SearchEnv& env);

inline Needs needs(const CompiledSearch& search) { return search.needs(); }

// Helpers shared with sort.cpp / thread.cpp.
// The decoded (RFC 2047, UTF-8) value of `field` in header block `header`:
// the first occurrence, nullopt when absent.
std::optional<std::string> decoded_header(std::string_view header, std::string_view field);
// The sent date of RFC 5256 §2.2 as an instant: Date: parsed, else INTERNALDATE.
int64_t sent_date(std::string_view header, const store::MessageMeta& meta);

}  // namespace courriel::search
