#include <gtest/gtest.h>

#include "base/ascii.h"
#include "base/base64.h"
#include "base/result.h"
#include "base/utf8.h"

using namespace courriel;

TEST(Ascii, CaseInsensitive) {
  EXPECT_TRUE(ascii::iequals("Login", "LOGIN"));
  EXPECT_FALSE(ascii::iequals("LOGIN", "LOGINX"));
  EXPECT_TRUE(ascii::istarts_with("BODY.PEEK", "body"));
  EXPECT_EQ(ascii::upper("aBc1"), "ABC1");
}

TEST(Ascii, Printable) {
  EXPECT_EQ(ascii::printable("a\r\nb\x80"), "a??b?");
  EXPECT_EQ(ascii::printable("abcdef", 3), "abc...");
}

TEST(Ascii, ParseU64) {
  EXPECT_EQ(ascii::parse_u64("0"), 0u);
  EXPECT_EQ(ascii::parse_u64("4294967295", UINT32_MAX), 4294967295u);
  EXPECT_FALSE(ascii::parse_u64("4294967296", UINT32_MAX));
  EXPECT_FALSE(ascii::parse_u64("18446744073709551616"));
  EXPECT_FALSE(ascii::parse_u64(""));
  EXPECT_FALSE(ascii::parse_u64("12a"));
}

TEST(Base64, RoundTrip) {
  for (std::string s : std::initializer_list<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)})
    EXPECT_EQ(base64::decode(base64::encode(s)), s);
  EXPECT_EQ(base64::encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64::encode("fo"), "Zm8=");
}

TEST(Base64, RejectsNonCanonical) {
  EXPECT_FALSE(base64::decode("Zm8"));
  EXPECT_FALSE(base64::decode("Zm9="));  // non-zero bits before padding
  EXPECT_FALSE(base64::decode("Z=8="));
  EXPECT_FALSE(base64::decode("Zm 8"));
  EXPECT_FALSE(base64::decode("=Zm8"));
}

TEST(ResultTest, ValueAndError) {
  Result<int> ok = 5;
  EXPECT_TRUE(ok);
  EXPECT_EQ(*ok, 5);
  Result<int> bad = make_error(Errc::not_found, "x");
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.code(), Errc::not_found);
  Status s;
  EXPECT_TRUE(s);
  Status f = make_error(Errc::invalid);
  EXPECT_EQ(f.code(), Errc::invalid);
}

TEST(Utf8, Validates) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("Entw\xc3\xbcrfe \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("a\x80" "b"));
}
