// The untagged responses of SEARCH: SEARCH (RFC 9051 §7.3.5 / RFC 3501
// §7.2.5, with RFC 7162 §3.1.5 MODSEQ) and ESEARCH (RFC 4731, RFC 9051
// §7.3.4), and what SEARCHRES saves (RFC 5182). Pure, thread-safe.
//
// The builders return the response text without the leading "* " and the
// CRLF, as imap::ResponseWriter::untagged() takes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/parser/command.h"

namespace courriel::search {

// `numbers` (any order, duplicates allowed) as an IMAP sequence-set, ascending
// with runs compressed: {1,2,3,5,9} -> "1:3,5,9". "" for no numbers.
std::string format_sequence_set(std::vector<uint32_t> numbers);

// "SEARCH 1 2 3" in the order given; with `modseq` (a MODSEQ key was used,
// RFC 7162 §3.1.5) and at least one match: "SEARCH 1 2 3 (MODSEQ 917)".
// No match: "SEARCH".
std::string format_search(const std::vector<uint32_t>& matches,
                          std::optional<uint64_t> modseq = std::nullopt);

// "ESEARCH (TAG "a") UID MIN 1 MAX 9 COUNT 5 ALL 1:3,5,9 [MODSEQ n]" (RFC 4731
// §3.1): `matches` are sequence numbers or (uid) UIDs, any order. An empty
// RETURN () means ALL; MIN, MAX and ALL are left out when nothing matched,
// COUNT 0 is given; MODSEQ (RFC 7162 §3.1.5) only with a match.
// RETURN (SAVE) alone gives "" : no ESEARCH response (RFC 5182 §2.4).
std::string format_esearch(std::string_view tag, bool uid, const std::vector<uint32_t>& matches,
                           const imap::SearchReturn& ret,
                           std::optional<uint64_t> modseq = std::nullopt);

// What RETURN (SAVE ...) stores as "$" (RFC 5182 §2.4): with MIN and/or MAX
// but neither ALL nor COUNT, only the minimum and/or maximum; else every
// match. `match_uids` as UIDs, any order; the result is ascending.
std::vector<uint32_t> saved_result(std::vector<uint32_t> match_uids,
                                   const imap::SearchReturn& ret);

}  // namespace courriel::search
