#include "store/index/records.h"

#include <gtest/gtest.h>

namespace courriel::store::index {
namespace {

TEST(Records, MessageRoundTrip) {
  MessageRecord r;
  r.modseq = 1ull << 40;
  r.size = 123456789;
  r.internal_date = -5;
  r.date_offset = -480;
  r.system = kSeen | kDraft;
  r.base = "1.M2P3Q4.host";
  for (int i = 0; i < 300; ++i) r.keywords.push_back("$kw" + std::to_string(i));
  auto d = decode_message(encode(r));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->modseq, r.modseq);
  EXPECT_EQ(d->size, r.size);
  EXPECT_EQ(d->internal_date, -5);
  EXPECT_EQ(d->date_offset, -480);
  EXPECT_EQ(d->system, r.system);
  EXPECT_EQ(d->base, r.base);
  EXPECT_EQ(d->keywords, r.keywords);
  std::string e = encode(r);
  EXPECT_FALSE(decode_message(e.substr(0, e.size() - 1)));
  EXPECT_FALSE(decode_message("xx"));
}

TEST(Records, MailboxRoundTrip) {
  MailboxRecord r;
  r.uidvalidity = 7;
  r.uidnext = 99;
  r.highest_modseq = 1000;
  r.first_recent_uid = 50;
  r.special_use = kTrash;
  r.messages = 98;
  r.size = 1ull << 35;
  r.name = "a/b";
  r.dir = ".a.b";
  r.keywords = {"$Junk", "work"};
  auto d = decode_mailbox(encode(r));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->uidnext, 99u);
  EXPECT_EQ(d->size, r.size);
  EXPECT_EQ(d->name, "a/b");
  EXPECT_EQ(d->dir, ".a.b");
  EXPECT_EQ(d->keywords, r.keywords);
  std::string e = encode(r);
  EXPECT_FALSE(decode_mailbox(e.substr(0, e.size() - 1)));
}

TEST(Records, Version1MailboxRecordHasNoKeywords) {
  MailboxRecord r;
  r.name = "x";
  std::string e = encode(r);
  e.pop_back();  // a version-1 record ends after `dir`
  auto d = decode_mailbox(e);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "x");
  EXPECT_TRUE(d->keywords.empty());
}

TEST(Records, KeysSortNumerically) {
  EXPECT_LT(key_u32x2(1, 255), key_u32x2(1, 256));
  EXPECT_LT(key_u32x2(1, 0xffffffff), key_u32x2(2, 0));
  EXPECT_LT(key_modseq(1, 255, 9), key_modseq(1, 256, 1));
  EXPECT_EQ(get_be64(key_modseq(3, 77, 5), 4), 77u);
  EXPECT_EQ(get_be32(key_modseq(3, 77, 5), 12), 5u);
}

}  // namespace
}  // namespace courriel::store::index
