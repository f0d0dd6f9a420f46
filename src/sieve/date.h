// The date extension (RFC 5260): reading a Date-like header field (RFC 5322
// §3.3 with the obsolete forms of §4.3), zones, and the date parts of
// RFC 5260 §2.3. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courriel::sieve {

struct DateTime {
  int64_t epoch = 0;       // seconds since 1970-01-01T00:00:00Z
  int offset_minutes = 0;  // the zone it was written in, east of UTC
};

// RFC 5322 date-time, leniently: optional day name, 2/3/4-digit years,
// optional seconds, numeric or obsolete named zones (unknown = +0000),
// comments. nullopt when no valid date can be found.
std::optional<DateTime> parse_date_time(std::string_view value);

// "+hhmm" / "-hhmm" (RFC 5260 §2.4) as minutes east of UTC.
std::optional<int> parse_zone(std::string_view zone);

// year month day date julian hour minute second time iso8601 std11 zone
// weekday (ASCII case-insensitive).
bool is_date_part(std::string_view part);

// The date part `part` of the instant `epoch` seen in zone `offset_minutes`.
// Empty for an unknown part.
std::string date_part(int64_t epoch, int offset_minutes, std::string_view part);

}  // namespace courriel::sieve
