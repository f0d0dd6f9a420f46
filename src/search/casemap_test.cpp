#include "search/casemap.h"

#include <gtest/gtest.h>

#include "search/date.h"

namespace courriel::search {
namespace {

TEST(Casemap, Ascii) {
  EXPECT_EQ(casemap("Hello, World 42!"), "HELLO, WORLD 42!");
  EXPECT_EQ(casemap(""), "");
}

TEST(Casemap, LatinGreekCyrillic) {
  EXPECT_EQ(casemap("é"), casemap("É"));
  EXPECT_EQ(casemap("é"), casemap("e\xCC\x81"));  // decomposed
  EXPECT_EQ(casemap("É"), "E\xCC\x81");
  EXPECT_EQ(casemap("ä"), casemap("Ä"));
  EXPECT_EQ(casemap("straße"), casemap("STRAßE"));  // ß has no simple titlecase
  EXPECT_EQ(casemap("Ǆ"), casemap("ǆ"));
  EXPECT_EQ(casemap("ǆ"), casemap("dž"));  // the fixed point
  EXPECT_EQ(casemap("Ωμέγα"), casemap("ΩΜΈΓΑ"));
  EXPECT_EQ(casemap("σ"), casemap("ς"));  // final sigma
  EXPECT_EQ(casemap("привет"), casemap("ПРИВЕТ"));
  EXPECT_EQ(casemap("ё"), casemap("Ё"));
  EXPECT_EQ(casemap("ﬁ"), "FI");          // compatibility ligature
  EXPECT_EQ(casemap("ＡＢＣ"), "ABC");     // full-width
  EXPECT_EQ(casemap("한국어"), "한국어");  // Hangul stays composed
  EXPECT_NE(casemap("cafe"), casemap("café"));
  EXPECT_NE(casemap("café").find(casemap("cafe")), std::string::npos);
}

TEST(Casemap, IllFormed) {
  EXPECT_EQ(casemap("a\xFF" "b"), "A\xEF\xBF\xBD" "B");
  EXPECT_EQ(casemap("\xC3"), "\xEF\xBF\xBD");
  EXPECT_EQ(casemap("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(casemap("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
}

int64_t at(int y, int mo, int d, int h, int mi, int s) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

TEST(Date, Civil) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(local_day(-1, 0), -1);
  EXPECT_EQ(local_day(0, -1), -1);
  EXPECT_EQ(local_day(86399, 0), 0);
}

TEST(Date, Rfc5322) {
  auto d = parse_date_time("Sun, 31 Dec 2000 16:01:33 -0800");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->epoch, at(2001, 1, 1, 0, 1, 33));  // RFC 5256 §2.2's example
  EXPECT_EQ(d->offset_minutes, -480);
  d = parse_date_time("1 Jan 2001 00:01:33 +0000");
  EXPECT_EQ(d->epoch, at(2001, 1, 1, 0, 1, 33));
  EXPECT_EQ(parse_date_time("Fri, 21 Nov 1997 09:55:06 +0530")->offset_minutes, 330);
}

TEST(Date, Obsolete) {
  EXPECT_EQ(parse_date_time("Thu, 13 Feb 69 23:32 -0330")->epoch, at(1969, 2, 14, 3, 2, 0));
  EXPECT_EQ(parse_date_time("13 Feb 2049 23:32:00 GMT")->epoch, at(2049, 2, 13, 23, 32, 0));
  EXPECT_EQ(parse_date_time("1 Mar 49")->epoch, at(2049, 3, 1, 0, 0, 0));
  EXPECT_EQ(parse_date_time("1 Mar 50")->epoch, at(1950, 3, 1, 0, 0, 0));
  EXPECT_EQ(parse_date_time("1 Mar 101 12:00 UT")->epoch, at(2001, 3, 1, 12, 0, 0));
  EXPECT_EQ(parse_date_time("Mon , 3 jan 2000 10:00 EST")->epoch, at(2000, 1, 3, 15, 0, 0));
  EXPECT_EQ(parse_date_time("Mon, 3 Jan 2000 10:00 pdt")->offset_minutes, -420);
  EXPECT_EQ(parse_date_time("3 January 2000 10:00:60 +0000")->epoch, at(2000, 1, 3, 10, 0, 59));
  EXPECT_EQ(parse_date_time("(c) Mon, (c) 3 (c) Jan (c) 2000 (c) 10 : 00 : 01 (c) +0100 (CET)")->epoch,
            at(2000, 1, 3, 9, 0, 1));
  EXPECT_EQ(parse_date_time("3 Jan 2000 10:00 A")->offset_minutes, 0);     // military
  EXPECT_EQ(parse_date_time("3 Jan 2000 10:00 +9999")->offset_minutes, 0);  // invalid zone: UTC
  EXPECT_EQ(parse_date_time("3-Jan-2000")->epoch, at(2000, 1, 3, 0, 0, 0));
}

TEST(Date, Invalid) {
  EXPECT_FALSE(parse_date_time(""));
  EXPECT_FALSE(parse_date_time("garbage"));
  EXPECT_FALSE(parse_date_time("31 Feb 2000"));
  EXPECT_TRUE(parse_date_time("29 Feb 2000"));
  EXPECT_FALSE(parse_date_time("29 Feb 1900"));
  EXPECT_FALSE(parse_date_time("1 Foo 2000"));
  EXPECT_FALSE(parse_date_time("1 Jan 2000 25:00"));
  EXPECT_FALSE(parse_date_time("1 Jan 2000 10:61"));
  EXPECT_FALSE(parse_date_time("123 Jan 2000"));
}

}  // namespace
}  // namespace courriel::search
