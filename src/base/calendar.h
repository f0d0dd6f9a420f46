// Calendar arithmetic shared by every date parser (IMAP date-time and search
// dates, RFC 5322 Date fields, Sieve date tests). Pure.
#pragma once

#include <cstdint>

namespace courriel {

// Days from 1970-01-01 to the given proleptic Gregorian date (Howard
// Hinnant's days_from_civil: exact for every date, negative before 1970).
// REQUIRES: 1 <= month <= 12, 1 <= day <= 31.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

}  // namespace courriel
