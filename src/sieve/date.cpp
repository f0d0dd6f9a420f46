#include "sieve/date.h"

#include <array>
#include <cstdio>

#include "base/calendar.h"
#include "base/ascii.h"

namespace courriel::sieve {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

struct Scanner {
  std::string_view s;
  size_t i = 0;
  void skip() {
    while (i < s.size()) {
      char c = s[i];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
        ++i;
      } else if (c == '(') {
        int depth = 0;
        while (i < s.size()) {
          if (s[i] == '(') ++depth;
          else if (s[i] == ')' && --depth == 0) { ++i; break; }
          ++i;
        }
      } else {
        break;
      }
    }
  }
  std::string_view word() {
    skip();
    size_t b = i;
    while (i < s.size() && ascii::is_alpha(s[i])) ++i;
    return s.substr(b, i - b);
  }
  std::optional<int64_t> number(size_t max_digits) {
    skip();
    size_t b = i;
    while (i < s.size() && ascii::is_digit(s[i]) && i - b < max_digits) ++i;
    if (i == b) return std::nullopt;
    int64_t n = 0;
    for (size_t k = b; k < i; ++k) n = n * 10 + (s[k] - '0');
    digits = i - b;
    return n;
  }
  size_t digits = 0;
};

}  // namespace

std::optional<DateTime> parse_date_time(std::string_view value) {
  Scanner sc{value};
  sc.skip();
  if (sc.i < value.size() && ascii::is_alpha(value[sc.i])) sc.word();  // day name
  auto day = sc.number(2);
  if (!day || *day < 1 || *day > 31) return std::nullopt;
  sc.skip();
  if (sc.i < value.size() && value[sc.i] == '-') ++sc.i;
  std::string mon = ascii::lower(sc.word());
  int month = 0;
  for (size_t k = 0; k < kMonths.size(); ++k)
    if (mon.size() >= 3 && mon.substr(0, 3) == kMonths[k]) month = int(k) + 1;
  if (month == 0) return std::nullopt;
  sc.skip();
  if (sc.i < value.size() && value[sc.i] == '-') ++sc.i;
  auto year = sc.number(4);
  if (!year) return std::nullopt;
  if (sc.digits == 2) *year += *year < 50 ? 2000 : 1900;
  else if (sc.digits == 3) *year += 1900;
  int64_t hh = 0, mm = 0, ss = 0;
  if (auto h = sc.number(2)) {
    hh = *h;
    if (sc.i < value.size() && value[sc.i] == ':') {
      ++sc.i;
      auto m = sc.number(2);
      if (!m) return std::nullopt;
      mm = *m;
      if (sc.i < value.size() && value[sc.i] == ':') {
        ++sc.i;
        auto s = sc.number(2);
        if (!s) return std::nullopt;
        ss = *s;
      }
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  if (ss == 60) ss = 59;
  int offset = 0;
  sc.skip();
  if (sc.i < value.size() && (value[sc.i] == '+' || value[sc.i] == '-')) {
    if (auto z = parse_zone(value.substr(sc.i, 5))) offset = *z;
  } else {
    std::string z = ascii::upper(sc.word());
    // RFC 5322 §4.3 obsolete zones; others (military, unknown) are +0000.
    if (z == "EDT") offset = -4 * 60;
    else if (z == "EST" || z == "CDT") offset = -5 * 60;
    else if (z == "CST" || z == "MDT") offset = -6 * 60;
    else if (z == "MST" || z == "PDT") offset = -7 * 60;
    else if (z == "PST") offset = -8 * 60;
  }
  int64_t days = days_from_civil(*year, unsigned(month), unsigned(*day));
  DateTime dt;
  dt.epoch = days * 86400 + hh * 3600 + mm * 60 + ss - int64_t{offset} * 60;
  dt.offset_minutes = offset;
  return dt;
}

std::optional<int> parse_zone(std::string_view z) {
  if (z.size() != 5 || (z[0] != '+' && z[0] != '-')) return std::nullopt;
  for (size_t i = 1; i < 5; ++i)
    if (!ascii::is_digit(z[i])) return std::nullopt;
  int h = (z[1] - '0') * 10 + (z[2] - '0');
  int m = (z[3] - '0') * 10 + (z[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  int v = h * 60 + m;
  return z[0] == '-' ? -v : v;
}

bool is_date_part(std::string_view p) {
  static constexpr std::array<std::string_view, 13> kParts = {
      "year", "month", "day", "date", "julian", "hour", "minute", "second",
      "time", "iso8601", "std11", "zone", "weekday"};
  for (std::string_view k : kParts)
    if (ascii::iequals(k, p)) return true;
  return false;
}

std::string date_part(int64_t epoch, int offset, std::string_view part) {
  int64_t local = epoch + int64_t{offset} * 60;
  int64_t days = floor_div(local, 86400);
  int64_t secs = local - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  int hh = int(secs / 3600), mi = int(secs / 60 % 60), ss = int(secs % 60);
  int weekday = int(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  char zone[8];
  int ao = offset < 0 ? -offset : offset;
  std::snprintf(zone, sizeof zone, "%c%02d%02d", offset < 0 ? '-' : '+', ao / 60 % 100, ao % 60);
  char buf[64];
  std::string p = ascii::lower(part);
  if (p == "year") std::snprintf(buf, sizeof buf, "%04lld", static_cast<long long>(y));
  else if (p == "month") std::snprintf(buf, sizeof buf, "%02u", m);
  else if (p == "day") std::snprintf(buf, sizeof buf, "%02u", d);
  else if (p == "date") std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  else if (p == "julian") std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(days + 40587));
  else if (p == "hour") std::snprintf(buf, sizeof buf, "%02d", hh);
  else if (p == "minute") std::snprintf(buf, sizeof buf, "%02d", mi);
  else if (p == "second") std::snprintf(buf, sizeof buf, "%02d", ss);
  else if (p == "time") std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", hh, mi, ss);
  else if (p == "iso8601")
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", static_cast<long long>(y), m, d,
                  hh, mi, ss, offset < 0 ? '-' : '+', ao / 60 % 100, ao % 60);
  else if (p == "std11") {
    static constexpr std::array<std::string_view, 12> kMon = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::snprintf(buf, sizeof buf, "%s, %u %s %04lld %02d:%02d:%02d %s", kDays[size_t(weekday)].data(), d,
                  kMon[m - 1].data(), static_cast<long long>(y), hh, mi, ss, zone);
  } else if (p == "zone") std::snprintf(buf, sizeof buf, "%s", zone);
  else if (p == "weekday") std::snprintf(buf, sizeof buf, "%d", weekday);
  else return {};
  return buf;
}

}  // namespace courriel::sieve
