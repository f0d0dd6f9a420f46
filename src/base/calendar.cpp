#include "base/calendar.h"

namespace courriel {

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  int64_t y = year - (month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (int64_t(month) + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + int64_t(day) - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace courriel
