#include "mail/cache.h"

#include <gtest/gtest.h>

using namespace courriel::mail;

TEST(MessageCacheTest, RoundTrip) {
  std::string msg =
      "From: Ann <ann@example.org>\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nbody\r\n";
  auto c = read_cache(build_cache(msg).blob);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->parsed, parse_message(msg));
  EXPECT_EQ(c->header, msg.substr(0, msg.find("body")));
  EXPECT_TRUE(c->header_complete);
}

TEST(MessageCacheTest, HugeHeaderIsNotKept) {
  std::string msg = "X: " + std::string(kMaxCachedHeader, 'a') + "\r\n\r\nb";
  auto c = read_cache(build_cache(msg).blob);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->header_complete);
  EXPECT_TRUE(c->header.empty());
}

TEST(MessageCacheTest, RejectsGarbage) {
  EXPECT_FALSE(read_cache(""));
  EXPECT_FALSE(read_cache("C\x01\x01\xff\xff\xff\x7f"));
  EXPECT_FALSE(read_cache("junk junk junk"));
  std::string blob = build_cache("Subject: x\r\n\r\ny").blob;
  blob[1] = 9;  // another version
  EXPECT_FALSE(read_cache(blob));
}

TEST(MessageCacheTest, ViewDecodesLazily) {
  std::string msg = "Subject: hi\r\n\r\nbody";
  std::string blob = build_cache(msg).blob;
  auto v = view_cache(blob);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->header, "Subject: hi\r\n\r\n");
  ASSERT_TRUE(v->parse());
  EXPECT_EQ(*v->parse(), parse_message(msg));
}

TEST(MessageCacheTest, ExtrasAndProjection) {
  std::string msg = "Subject: hi\r\nContent-Type: text/plain\r\n\r\nbody";
  auto built = build_cache(msg, [](const ParsedMessage& p, std::string_view header) {
    EXPECT_EQ(header, "Subject: hi\r\nContent-Type: text/plain\r\n\r\n");
    return std::vector<CacheExtra>{{'E', "env:" + p.envelope.subject.value_or("")}};
  });
  ASSERT_EQ(built.extras.size(), 1u);
  EXPECT_EQ(built.extras[0].tag, 'E');
  EXPECT_EQ(built.extras[0].text, "env:hi");
  EXPECT_EQ(built.blob, build_cache(msg).blob);  // extras live apart from the blob
  auto v = view_cache(built.blob);
  ASSERT_TRUE(v);
  // Without the header: still "complete" (the index has it).
  std::string small = project_cache(*v, "", false);
  EXPECT_LT(small.size(), built.blob.size());
  auto pv = view_cache(small);
  ASSERT_TRUE(pv);
  EXPECT_TRUE(pv->header.empty());
  EXPECT_TRUE(pv->header_complete);
  EXPECT_FALSE(pv->parse());
  EXPECT_EQ(project_cache(*v, v->header, true), built.blob);
  std::string subset = project_cache(*v, "Subject: hi\r\n\r\n", true);
  auto only = view_cache(subset);
  ASSERT_TRUE(only);
  EXPECT_EQ(only->header, "Subject: hi\r\n\r\n");
  EXPECT_EQ(*only->parse(), parse_message(msg));
}
