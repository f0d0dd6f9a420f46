#include "search/date.h"

#include <array>

#include "base/calendar.h"
#include "base/ascii.h"

namespace courriel::search {
namespace {

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  // Skips whitespace and (nested) comments.
  void skip_cfws() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '(') {
        int depth = 0;
        while (pos_ < s_.size()) {
          char d = s_[pos_++];
          if (d == '\\' && pos_ < s_.size()) {
            ++pos_;
          } else if (d == '(') {
            ++depth;
          } else if (d == ')' && --depth == 0) {
            break;
          }
        }
      } else {
        break;
      }
    }
  }
  bool eat(char c) {
    skip_cfws();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  // A run of ASCII letters (possibly empty).
  std::string_view word() {
    skip_cfws();
    size_t start = pos_;
    while (pos_ < s_.size() && ascii::is_alpha(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A run of 1..max_digits digits; -1 when none. `ndigits` receives the count.
  int number(size_t max_digits, size_t* ndigits = nullptr) {
    skip_cfws();
    size_t start = pos_;
    int v = 0;
    while (pos_ < s_.size() && ascii::is_digit(s_[pos_]) && pos_ - start < max_digits) {
      v = v * 10 + (s_[pos_++] - '0');
    }
    if (ndigits) *ndigits = pos_ - start;
    if (pos_ == start) return -1;
    if (pos_ < s_.size() && ascii::is_digit(s_[pos_])) return -1;  // too many digits
    return v;
  }
  char peek() {
    skip_cfws();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

int month_of(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (name.size() < 3) return 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (ascii::iequals(name.substr(0, 3), kMonths[i])) return int(i) + 1;
  }
  return 0;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Zone names of RFC 5322 §4.3, in minutes east of UTC.
std::optional<int> named_zone(std::string_view z) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  static constexpr std::array<Zone, 12> kZones = {{{"UT", 0},
                                                   {"UTC", 0},
                                                   {"GMT", 0},
                                                   {"Z", 0},
                                                   {"EST", -300},
                                                   {"EDT", -240},
                                                   {"CST", -360},
                                                   {"CDT", -300},
                                                   {"MST", -420},
                                                   {"MDT", -360},
                                                   {"PST", -480},
                                                   {"PDT", -420}}};
  for (const Zone& zone : kZones) {
    if (ascii::iequals(z, zone.name)) return zone.minutes;
  }
  return std::nullopt;
}

}  // namespace

std::optional<SentDate> parse_date_time(std::string_view value) {
  Cursor c(value);
  // [day-of-week ","]
  size_t save = c.pos();
  std::string_view w = c.word();
  if (!w.empty() && month_of(w) == 0) {
    c.eat(',');
  } else {
    c.set_pos(save);
  }
  int day = c.number(2);
  if (day < 1) return std::nullopt;
  c.eat('-');
  int month = month_of(c.word());
  if (month == 0) return std::nullopt;
  c.eat('-');
  size_t ydigits = 0;
  int year = c.number(4, &ydigits);
  if (year < 0) return std::nullopt;
  if (ydigits == 2) {
    year += year < 50 ? 2000 : 1900;
  } else if (ydigits == 3) {
    year += 1900;
  }
  if (year < 1900 || day > days_in_month(year, month)) return std::nullopt;

  int hour = 0, minute = 0, second = 0, offset = 0;
  save = c.pos();
  int h = c.number(2);
  if (h >= 0 && c.eat(':')) {
    int m = c.number(2);
    if (m < 0) return std::nullopt;
    int s = 0;
    if (c.eat(':')) {
      s = c.number(2);
      if (s < 0) return std::nullopt;
    }
    if (h > 23 || m > 59 || s > 60) return std::nullopt;
    hour = h, minute = m, second = s == 60 ? 59 : s;
    // zone
    char sign = c.peek();
    if (sign == '+' || sign == '-') {
      c.eat(sign);
      size_t zd = 0;
      int z = c.number(4, &zd);
      if (zd == 4 && z % 100 < 60) offset = (z / 100 * 60 + z % 100) * (sign == '-' ? -1 : 1);
    } else if (auto named = named_zone(c.word())) {
      offset = *named;
    }
  } else {
    c.set_pos(save);
  }
  int64_t epoch = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                  int64_t{offset} * 60;
  return SentDate{epoch, offset};
}

}  // namespace courriel::search
