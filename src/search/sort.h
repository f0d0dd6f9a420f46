// SORT (RFC 5256 §3) with DISPLAYFROM/DISPLAYTO (RFC 5957). Pure, thread-safe
// over distinct MessageAccess objects.
//
// Sort values, computed once per message (O(n log n) comparisons on them):
// - ARRIVAL: INTERNALDATE; SIZE: RFC822.SIZE.
// - DATE: the sent date (RFC 5256 §2.2): the envelope's Date parsed
//   (parse_date_time) and normalised to UTC, else INTERNALDATE.
// - FROM, TO, CC: addr-mailbox of the first address (group markers skipped)
//   of the envelope field, as written; "" when absent.
// - SUBJECT: the base subject (mail::base_subject, RFC 5256 §2.1).
// - DISPLAYFROM, DISPLAYTO: RFC 5957 §3: the first address's display name
//   decoded (RFC 2047), else mailbox@host, else mailbox, else "".
// Strings compare as octets after i;unicode-casemap (RFC 5256 §7 requires the
// I18NLEVEL=1 collation); "" sorts first. REVERSE reverses only its own
// criterion; ties end in sequence-number order (RFC 5256 §3).
// Only MessageAccess::meta(), seq(), parsed().envelope (FROM, TO, CC,
// DISPLAY*), and for DATE and SUBJECT the cached thread key (thread.h), else
// the header's Date and Subject fields, are used.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "imap/parser/command.h"
#include "search/search.h"

namespace courriel::search {

// Indices into `messages`, in sorted order.
std::vector<size_t> sort_order(const std::vector<imap::SortCriterion>& criteria,
                               std::span<MessageAccess* const> messages);

// The SORT response numbers: sequence numbers, or UIDs when `uid`.
std::vector<uint32_t> sort(const std::vector<imap::SortCriterion>& criteria,
                           std::span<MessageAccess* const> messages, bool uid);

// What sorting by `criteria` loads: nothing for ARRIVAL and SIZE, the
// thread key (or Date/Subject fields) for DATE and SUBJECT, parsed() else.
Needs sort_needs(const std::vector<imap::SortCriterion>& criteria);

// The sort value of RFC 5957 §3 for the first address of `addresses`.
std::string display_value(const std::vector<mail::Address>& addresses);

}  // namespace courriel::search
