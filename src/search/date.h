// Dates for SEARCH and SORT: the RFC 5322 §3.3 date-time of a Date: field
// (with the obsolete forms of §4.3), and calendar-day arithmetic. Pure,
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/calendar.h"

namespace courriel::search {

struct SentDate {
  int64_t epoch = 0;       // the instant, seconds since 1970-01-01T00:00:00Z
  int offset_minutes = 0;  // the zone it was written in, minutes east of UTC
  bool operator==(const SentDate&) const = default;
};

// Parses an RFC 5322 date-time, leniently as mail needs:
// - optional day name (any alphabetic word, with or without the comma);
// - day, month name (English, case-insensitive, first three letters count:
//   "Jan", "january"), year; the parts may also be separated by '-';
// - 2-digit years: < 50 -> 20xx, else 19xx; 3-digit years: + 1900 (§4.3);
// - time hh:mm or hh:mm:ss (seconds 60 allowed, as a leap second, counted as
//   59); a missing time is 00:00:00 (RFC 5256 §2.2);
// - zone +hhmm / -hhmm, or UT, UTC, GMT, Z, EST/EDT/CST/CDT/MST/MDT/PST/PDT
//   (§4.3); a missing, military or unknown zone is +0000 (RFC 5256 §2.2:
//   "treated as UTC");
// - comments (nested) and whitespace anywhere between tokens; anything after
//   the zone is ignored.
// nullopt when no valid day, month and year can be found, or the time is out
// of range.
std::optional<SentDate> parse_date_time(std::string_view value);

// The calendar day (days since 1970-01-01) an instant falls on in the zone
// `offset_minutes` east of UTC.
inline int64_t local_day(int64_t epoch, int offset_minutes) {
  int64_t t = epoch + int64_t{offset_minutes} * 60;
  return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

}  // namespace courriel::search
