// THREAD (RFC 5256 §4): ORDEREDSUBJECT and REFERENCES, and the THREAD
// response syntax. Pure, thread-safe over distinct MessageAccess objects.
//
// Inputs come from MessageAccess::header() (Message-ID, References,
// In-Reply-To, Subject, Date), seq() and meta() only.
// - Message IDs: every "<...>" whose content, with quotes, backslashes and
//   whitespace removed, has the form left@right (RFC 5256 §4 normalisation:
//   <"a"@b> is <a@b>); compared case-sensitively.
// - References: all valid IDs of References; if none, the first valid ID of
//   In-Reply-To; else none.
// - Sent date: RFC 5256 §2.2 (search.h sent_date()); ties by sequence number.
// - Subjects: mail::base_subject under i;unicode-casemap; a message is a
//   reply or forward when extraction removes a "Re:"/"Fw:"/"Fwd:" leader (with
//   its blobs), a "(fwd)" trailer or a "[Fwd: ...]" wrapper.
// - REFERENCES follows the RFC's six steps. Where it is silent: a step 1.B
//   link that would make a loop leaves the existing parent in place; input
//   is handled in sequence-number order whatever order it comes in.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "search/search.h"

namespace courriel::search {

struct ThreadNode {
  uint32_t id = 0;  // sequence number or UID; 0 for a dummy (a missing parent)
  std::vector<ThreadNode> children;
  bool operator==(const ThreadNode&) const = default;
};

std::vector<ThreadNode> thread_ordered_subject(std::span<MessageAccess* const> messages, bool uid);
std::vector<ThreadNode> thread_references(std::span<MessageAccess* const> messages, bool uid);

// By algorithm name (ASCII case-insensitive): ORDEREDSUBJECT, REFERENCES;
// Errc::not_found for any other (the IMAP layer answers BAD/NO).
Result<std::vector<ThreadNode>> thread(std::string_view algorithm,
                                       std::span<MessageAccess* const> messages, bool uid);

// What threading loads: the header fields listed above.
Needs thread_needs();

// What THREAD (and SORT's DATE) take from one message's header, as above.
struct ThreadKey {
  std::optional<int64_t> date;  // the sent date, if the Date field parses
  std::string subject;          // base subject, casemapped
  bool reply = false;
  std::string message_id;  // "" when none
  std::vector<std::string> refs;
  bool operator==(const ThreadKey&) const = default;
};
ThreadKey thread_key(std::string_view header);
// Kept in the index cache at delivery (mail::CacheExtra with this tag), so
// that THREAD and SORT (DATE) over 100,000 messages read no header.
inline constexpr char kCachedThreadKey = 'T';
std::string encode_thread_key(const ThreadKey& key);
std::optional<ThreadKey> decode_thread_key(std::string_view text);
// Only the sent date of an encoded key (SORT (DATE)): nullopt if `text` is
// not a key, else the date (itself nullopt when the Date field did not parse).
std::optional<std::optional<int64_t>> decode_thread_key_date(std::string_view text);


// The THREAD response data, e.g. "(2)(3 6 (4 23)(44 7 96))((3)(5))": a
// single child continues its parent's list, several children each get their
// own parenthesised list (RFC 5256 §4, BASE.7.2.THREAD). The caller writes
// "THREAD " before it ("THREAD" alone when there are no threads).
std::string format_thread(const std::vector<ThreadNode>& threads);

// Helpers exposed for tests.
std::vector<std::string> message_ids(std::string_view value);
bool is_reply_or_forward(std::string_view subject);

}  // namespace courriel::search
