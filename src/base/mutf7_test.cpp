#include "base/mutf7.h"

#include <gtest/gtest.h>

namespace courriel {
namespace {

struct Pair {
  std::string utf8;
  std::string mutf7;
};

// RFC 3501 §5.1.3 and common real-world names.
const Pair kPairs[] = {
    {"", ""},
    {"INBOX", "INBOX"},
    {"a&b", "a&-b"},
    {"&", "&-"},
    {"&&", "&-&-"},
    {"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
     "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
    {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
    {"\xc3\xa4\xc3\xb6\xc3\xbc", "&AOQA9gD8-"},
    {"Gel\xc3\xb6scht&", "Gel&APY-scht&-"},
    {"\xf0\x9f\x98\x80", "&2D3eAA-"},  // U+1F600: a surrogate pair
    {"\t", "&AAk-"},                   // controls are encoded
    {"\x7f", "&AH8-"},
    {"\xe2\x82\xac 5", "&IKw- 5"},
    {"\xc3\xa9&\xc3\xa9", "&AOk-&-&AOk-"},
};

TEST(Mutf7, Pairs) {
  for (const auto& p : kPairs) {
    EXPECT_EQ(mutf7_encode(p.utf8), p.mutf7) << p.mutf7;
    auto d = mutf7_decode(p.mutf7);
    ASSERT_TRUE(d) << p.mutf7;
    EXPECT_EQ(*d, p.utf8) << p.mutf7;
  }
}

TEST(Mutf7, RejectsNonCanonical) {
  const char* bad[] = {
      "&Jjo!",       // "!" not in the alphabet, no "-"
      "&Jjo",        // unterminated shift
      "&",           // unterminated
      "a&",          //
      "&AGE-",       // encodes "a": printable ASCII must be itself
      "&ACY-",       // encodes "&"
      "&AOQ-&APY-",  // two adjacent shifts
      "&AOR-",       // non-zero padding bits
      "&AOQA-",      // 6+ padding bits
      "&AO-",        // incomplete UTF-16 unit
      "&2D0-",       // lone high surrogate
      "&3gA-",       // lone low surrogate
      "&2D3YPQ-",    // high surrogate followed by high surrogate
      "&U/BTFw-",    // "/" is RFC 4648, not modified base64
      "&U,BTFw=-",   // padding "="
      "\xc3\xa4",    // raw 8-bit
      "a\tb",        // raw control
      "a\x7f",       // DEL
  };
  for (const char* b : bad) EXPECT_FALSE(mutf7_decode(b)) << b;
  EXPECT_FALSE(mutf7_decode(std::string_view("a\0b", 3)));
}

TEST(Mutf7, InvalidUtf8EncodesReplacement) {
  EXPECT_EQ(mutf7_encode("a\xff"
                         "b"),
            "a&,,0-b");
  EXPECT_EQ(*mutf7_decode(mutf7_encode("\xc3")), "\xef\xbf\xbd");
}

TEST(Mutf7, RoundTripsEveryBmpCharacter) {
  for (uint32_t cp = 1; cp < 0x10000; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    std::string u;
    if (cp < 0x80) {
      u.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      u.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      u.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      u.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      u.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      u.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
    std::string s = "x" + u + u + "y";
    std::string e = mutf7_encode(s);
    auto d = mutf7_decode(e);
    ASSERT_TRUE(d) << cp;
    ASSERT_EQ(*d, s) << cp;
    ASSERT_EQ(mutf7_encode(*d), e);
  }
}

TEST(Mutf7, AlsoEncodedCharactersForTheMaildirLayout) {
  // The Maildir++ layout writes '.' inside a shift; only a decoder told so accepts it.
  EXPECT_EQ(mutf7_encode("a.b", "."), "a&AC4-b");
  EXPECT_EQ(mutf7_encode("\xc3\xa9.x", "."), "&AOkALg-x");
  EXPECT_EQ(mutf7_decode("a&AC4-b", "."), "a.b");
  EXPECT_FALSE(mutf7_decode("a&AC4-b"));
  EXPECT_FALSE(mutf7_decode("a&AGE-", "."));  // only the listed characters
}

}  // namespace
}  // namespace courriel
