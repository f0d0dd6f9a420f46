#include "mail/cache.h"

#include <gtest/gtest.h>

using namespace courriel::mail;

TEST(MessageCacheTest, RoundTrip) {
  std::string msg =
      "From: Ann <ann@example.org>\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nbody\r\n";
  auto c = read_cache(build_cache(msg));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->parsed, parse_message(msg));
  EXPECT_EQ(c->header, msg.substr(0, msg.find("body")));
  EXPECT_TRUE(c->header_complete);
}

TEST(MessageCacheTest, HugeHeaderIsNotKept) {
  std::string msg = "X: " + std::string(kMaxCachedHeader, 'a') + "\r\n\r\nb";
  auto c = read_cache(build_cache(msg));
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->header_complete);
  EXPECT_TRUE(c->header.empty());
}

TEST(MessageCacheTest, RejectsGarbage) {
  EXPECT_FALSE(read_cache(""));
  EXPECT_FALSE(read_cache("C\x01\x01\xff\xff\xff\x7f"));
  EXPECT_FALSE(read_cache("junk junk junk"));
  std::string blob = build_cache("Subject: x\r\n\r\ny");
  blob[1] = 9;  // another version
  EXPECT_FALSE(read_cache(blob));
}

TEST(MessageCacheTest, ViewDecodesLazily) {
  std::string msg = "Subject: hi\r\n\r\nbody";
  std::string blob = build_cache(msg);
  auto v = view_cache(blob);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->header, "Subject: hi\r\n\r\n");
  ASSERT_TRUE(v->parse());
  EXPECT_EQ(*v->parse(), parse_message(msg));
}
