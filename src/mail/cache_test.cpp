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

TEST(MessageCacheTest, ExtrasAndProjection) {
  std::string msg = "Subject: hi\r\nContent-Type: text/plain\r\n\r\nbody";
  auto extras = [](const ParsedMessage& p, std::string_view header) {
    EXPECT_EQ(header, "Subject: hi\r\nContent-Type: text/plain\r\n\r\n");
    return std::vector<CacheExtra>{{'E', "env:" + p.envelope.subject.value_or("")}, {'B', ""}};
  };
  std::string blob = build_cache(msg, extras);
  auto v = view_cache(blob);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->extra('E'), "env:hi");
  EXPECT_EQ(v->extra('B'), "");
  EXPECT_EQ(v->extra('x'), std::nullopt);
  EXPECT_EQ(*v->parse(), parse_message(msg));
  // Without the header: still "complete" (the index has it), extras kept.
  auto small = project_cache(*v, "", false, "E");
  EXPECT_LT(small.size(), blob.size());
  auto pv = view_cache(small);
  ASSERT_TRUE(pv);
  EXPECT_TRUE(pv->header.empty());
  EXPECT_TRUE(pv->header_complete);
  EXPECT_FALSE(pv->parse());
  EXPECT_EQ(pv->extra('E'), "env:hi");
  EXPECT_EQ(pv->extra('B'), std::nullopt);  // not asked for
  EXPECT_EQ(project_cache(*v, v->header, true, "EB"), blob);
  std::string subset = project_cache(*v, "Subject: hi\r\n\r\n", true, "");
  auto only = view_cache(subset);
  ASSERT_TRUE(only);
  EXPECT_EQ(only->header, "Subject: hi\r\n\r\n");
  EXPECT_EQ(*only->parse(), parse_message(msg));
}

TEST(MessageCacheTest, ReadsVersion1Blobs) {
  // 'C' 1 complete len(4) serialized header: what the index held before extras.
  std::string msg = "Subject: old\r\n\r\nb";
  std::string blob = build_cache(msg);
  auto now = view_cache(blob);
  ASSERT_TRUE(now);
  std::string ser(now->serialized);
  std::string v1 = std::string("C\x01\x01", 3);
  for (int i = 0; i < 4; ++i) v1 += char((ser.size() >> (8 * i)) & 0xff);
  v1 += ser + "Subject: old\r\n\r\n";
  auto c = read_cache(v1);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->header, "Subject: old\r\n\r\n");
  EXPECT_EQ(c->parsed, parse_message(msg));
  EXPECT_EQ(view_cache(v1)->extra('E'), std::nullopt);
}
