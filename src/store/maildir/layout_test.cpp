#include "store/maildir/layout.h"

#include <gtest/gtest.h>

#include "store/store.h"

namespace courriel::store::maildir {
namespace {

TEST(Names, Valid) {
  for (const char* n : {"INBOX", "Sent", "a/b/c", "INBOX/foo", "Entwürfe", "a.b", "x y", ".hidden"})
    EXPECT_TRUE(validate_name(n)) << n;
}

TEST(Names, Invalid) {
  for (std::string n : {std::string(""), std::string("../x"), std::string("a//b"), std::string("/a"),
                        std::string("a/"), std::string("a\x01"), std::string("a\tb"), std::string("a\x7f"),
                        std::string("bad\xff"), std::string("\xc0\xaf"), std::string("a%"), std::string("*"),
                        std::string("a/../b"), std::string("."), std::string("a/./b"), std::string(401, 'x'),
                        std::string("a\0b", 3)})
    EXPECT_FALSE(validate_name(n)) << n;
}

TEST(Names, Folders) {
  EXPECT_EQ(folder_for_name("INBOX"), "");
  EXPECT_EQ(folder_for_name("Sent"), ".Sent");
  EXPECT_EQ(folder_for_name("a/b"), ".a.b");
  EXPECT_EQ(folder_for_name("INBOX/foo"), ".INBOX.foo");
  EXPECT_EQ(folder_for_name("Entwürfe"), ".Entw&APw-rfe");
  EXPECT_EQ(folder_for_name("a.b/c"), ".a&AC4-b.c");
  for (std::string n : {"Sent", "a/b", "INBOX/foo", "Entwürfe", "a.b/c", "&x", ".dot"}) {
    auto back = name_for_folder(folder_for_name(n));
    ASSERT_TRUE(back) << n;
    EXPECT_EQ(*back, n);
  }
  EXPECT_FALSE(name_for_folder(".."));
  EXPECT_FALSE(name_for_folder(".a..b"));
  EXPECT_EQ(*name_for_folder(".Caf\xc3\xa9"), "Caf\xc3\xa9");  // raw UTF-8 folder
}

TEST(FileNames, ParseAndMake) {
  auto f = parse_file_name("1700000000.M1P2Q3.host,S=1234,W=1260:2,FS");
  EXPECT_EQ(f.base, "1700000000.M1P2Q3.host");
  EXPECT_EQ(f.size, 1234u);
  EXPECT_FALSE(f.uid);
  EXPECT_EQ(f.flags, kFlagged | kSeen);
  auto g = parse_file_name(make_file_name("b", 10, 42, kSeen | kDeleted | kDraft | kAnswered));
  EXPECT_EQ(g.base, "b");
  EXPECT_EQ(g.uid, 42u);
  EXPECT_EQ(g.size, 10u);
  EXPECT_EQ(g.flags, kSeen | kDeleted | kDraft | kAnswered);
  EXPECT_EQ(make_file_name("b", 1, 2, kSeen | kFlagged), "b,S=1,U=2:2,FS");
  auto n = parse_file_name("plain");
  EXPECT_EQ(n.base, "plain");
  EXPECT_EQ(n.flags, 0);
  EXPECT_NE(make_unique_name(), make_unique_name());
}

}  // namespace
}  // namespace courriel::store::maildir
