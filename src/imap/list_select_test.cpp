#include "imap/list_select.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace courriel::imap {
namespace {

using store::MailboxInfo;

MailboxInfo mbox(std::string name, bool subscribed = false, uint8_t special_use = 0) {
  MailboxInfo m;
  m.name = std::move(name);
  m.subscribed = subscribed;
  m.special_use = special_use;
  return m;
}
MailboxInfo sub_only(std::string name) {
  MailboxInfo m = mbox(std::move(name), true);
  m.exists = false;
  return m;
}

// The responses for `q` over `boxes`, one string per line without CRLF.
std::vector<std::string> run(const std::vector<MailboxInfo>& boxes, ListQuery q) {
  std::vector<std::string> lines;
  for (const ListItem& item : list_select(boxes, q, '/')) {
    std::string out;
    append_list_response(out, item, q, '/', false);
    EXPECT_TRUE(out.ends_with("\r\n"));
    out.resize(out.size() - 2);
    lines.push_back(out);
  }
  return lines;
}

ListQuery pattern(std::string p) {
  ListQuery q;
  q.patterns.push_back(std::move(p));
  return q;
}

// A new account, as Thunderbird sees it.
std::vector<MailboxInfo> defaults() {
  return {mbox("Archive", true, store::kArchive),
          mbox("Drafts", true, store::kDrafts),
          mbox("INBOX", true),
          mbox("Junk", true, store::kJunk),
          mbox("Sent", true, store::kSent),
          mbox("Trash", true, store::kTrash)};
}

TEST(ListSelect, PlainListInboxFirstWithSpecialUse) {
  EXPECT_EQ(run(defaults(), pattern("*")), (std::vector<std::string>{
                                               R"(* LIST (\HasNoChildren) "/" INBOX)",
                                               R"(* LIST (\HasNoChildren \Archive) "/" Archive)",
                                               R"(* LIST (\HasNoChildren \Drafts) "/" Drafts)",
                                               R"(* LIST (\HasNoChildren \Junk) "/" Junk)",
                                               R"(* LIST (\HasNoChildren \Sent) "/" Sent)",
                                               R"(* LIST (\HasNoChildren \Trash) "/" Trash)",
                                           }));
}

TEST(ListSelect, ThunderbirdSubscribedSpecialUse) {
  ListQuery q = pattern("*");
  q.extended = true;
  q.select_subscribed = true;
  std::vector<MailboxInfo> boxes = defaults();
  boxes.push_back(mbox("Unsubscribed"));
  auto lines = run(boxes, q);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], R"(* LIST (\Subscribed \HasNoChildren) "/" INBOX)");
  EXPECT_EQ(lines[5], R"(* LIST (\Subscribed \HasNoChildren \Trash) "/" Trash)");
}

TEST(ListSelect, InboxPatternAnyCase) {
  EXPECT_EQ(run(defaults(), pattern("inbox")),
            (std::vector<std::string>{R"(* LIST (\HasNoChildren) "/" INBOX)"}));
  EXPECT_EQ(run(defaults(), pattern("Trash")),
            (std::vector<std::string>{R"(* LIST (\HasNoChildren \Trash) "/" Trash)"}));
  EXPECT_TRUE(run(defaults(), pattern("trash")).empty());
}

TEST(ListSelect, HierarchyAndImplicitParents) {
  // "x" has no mailbox of its own (a Maildir++ ".x.y" without ".x").
  std::vector<MailboxInfo> boxes = {mbox("INBOX"), mbox("a"), mbox("a/b"), mbox("a/b/c"),
                                    mbox("x/y")};
  EXPECT_EQ(run(boxes, pattern("%")), (std::vector<std::string>{
                                          R"(* LIST (\HasNoChildren) "/" INBOX)",
                                          R"(* LIST (\HasChildren) "/" a)",
                                          R"(* LIST (\Noselect \HasChildren) "/" x)",
                                      }));
  EXPECT_EQ(run(boxes, pattern("a/%")),
            (std::vector<std::string>{R"(* LIST (\HasChildren) "/" a/b)"}));
  EXPECT_EQ(run(boxes, pattern("a/*")), (std::vector<std::string>{
                                            R"(* LIST (\HasChildren) "/" a/b)",
                                            R"(* LIST (\HasNoChildren) "/" a/b/c)",
                                        }));
  ListQuery q = pattern("x");
  q.extended = true;
  EXPECT_EQ(run(boxes, q),
            (std::vector<std::string>{R"(* LIST (\NonExistent \HasChildren) "/" x)"}));
}

TEST(ListSelect, MultiplePatternsListEachNameOnce) {
  ListQuery q = pattern("a*");
  q.patterns.push_back("%");
  q.extended = true;
  auto lines = run({mbox("INBOX"), mbox("a"), mbox("a/b")}, q);
  EXPECT_EQ(lines, (std::vector<std::string>{
                       R"(* LIST (\HasNoChildren) "/" INBOX)",
                       R"(* LIST (\HasChildren) "/" a)",
                       R"(* LIST (\HasNoChildren) "/" a/b)",
                   }));
}

// RFC 5258 §5 example 2 and 6.
TEST(ListSelect, SubscribedSelectionAndReturn) {
  std::vector<MailboxInfo> boxes = {mbox("INBOX", true),     mbox("Fruit"),
                                    mbox("Fruit/Apple"),     mbox("Fruit/Banana", true),
                                    sub_only("Fruit/Peach"), mbox("Tofu"),
                                    mbox("Vegetable", true), mbox("Vegetable/Broccoli", true),
                                    mbox("Vegetable/Corn")};
  ListQuery q = pattern("*");
  q.extended = true;
  q.select_subscribed = true;
  EXPECT_EQ(run(boxes, q), (std::vector<std::string>{
                               R"(* LIST (\Subscribed \HasNoChildren) "/" INBOX)",
                               R"(* LIST (\Subscribed \HasNoChildren) "/" Fruit/Banana)",
                               R"(* LIST (\NonExistent \Subscribed) "/" Fruit/Peach)",
                               R"(* LIST (\Subscribed \HasChildren) "/" Vegetable)",
                               R"(* LIST (\Subscribed \HasNoChildren) "/" Vegetable/Broccoli)",
                           }));
  // Plain LIST never shows the subscription-only name.
  ListQuery r = pattern("Fruit/*");
  r.extended = true;
  r.return_subscribed = true;
  EXPECT_EQ(run(boxes, r), (std::vector<std::string>{
                               R"(* LIST (\HasNoChildren) "/" Fruit/Apple)",
                               R"(* LIST (\Subscribed \HasNoChildren) "/" Fruit/Banana)",
                           }));
}

// RFC 5258 §5 example 8 and 9.
TEST(ListSelect, RecursiveMatchChildInfo) {
  std::vector<MailboxInfo> boxes = {mbox("INBOX"), mbox("Foo"), mbox("Foo/Bar"),
                                    mbox("Foo/Baz", true), mbox("Moo")};
  ListQuery q = pattern("%");
  q.extended = true;
  q.select_subscribed = true;
  EXPECT_TRUE(run(boxes, q).empty());
  q.recursive_match = true;
  EXPECT_EQ(run(boxes, q), (std::vector<std::string>{
                               R"(* LIST (\HasChildren) "/" Foo ("CHILDINFO" ("SUBSCRIBED")))",
                           }));
  // A2: the parent does not exist.
  std::vector<MailboxInfo> orphan = {mbox("INBOX"), sub_only("Foo/Baz")};
  EXPECT_EQ(run(orphan, q), (std::vector<std::string>{
                                R"(* LIST (\NonExistent) "/" Foo ("CHILDINFO" ("SUBSCRIBED")))",
                            }));
  // C: only Foo and Moo subscribed: no CHILDINFO.
  std::vector<MailboxInfo> c = {mbox("INBOX"), mbox("Foo", true), mbox("Foo/Bar"), mbox("Foo/Baz"),
                                mbox("Moo", true)};
  EXPECT_EQ(run(c, q), (std::vector<std::string>{
                           R"(* LIST (\Subscribed \HasChildren) "/" Foo)",
                           R"(* LIST (\Subscribed \HasNoChildren) "/" Moo)",
                       }));
}

TEST(ListSelect, SpecialUseSelection) {
  std::vector<MailboxInfo> boxes = defaults();
  boxes.push_back(mbox("Projects"));
  boxes.push_back(mbox("Projects/Old", false, store::kArchive));
  ListQuery q = pattern("*");
  q.extended = true;
  q.select_special_use = true;
  auto lines = run(boxes, q);
  EXPECT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], R"(* LIST (\HasNoChildren \Archive) "/" Archive)");
  EXPECT_EQ(lines[3], R"(* LIST (\HasNoChildren \Archive) "/" Projects/Old)");
  q.patterns = {"%"};
  q.recursive_match = true;
  lines = run(boxes, q);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[3], R"(* LIST (\HasChildren) "/" Projects ("CHILDINFO" ("SPECIAL-USE")))");
}

// RFC 3501 §6.3.9: an unsubscribed parent of a subscribed name shows
// \Noselect under "%", not under "*".
TEST(ListSelect, Lsub) {
  std::vector<MailboxInfo> boxes = {mbox("INBOX", true), mbox("news"), mbox("news/comp", true),
                                    sub_only("gone")};
  ListQuery q = pattern("%");
  q.lsub = true;
  EXPECT_EQ(run(boxes, q), (std::vector<std::string>{
                               R"(* LSUB () "/" INBOX)",
                               R"(* LSUB () "/" gone)",
                               R"(* LSUB (\Noselect) "/" news)",
                           }));
  q.patterns = {"*"};
  EXPECT_EQ(run(boxes, q), (std::vector<std::string>{
                               R"(* LSUB () "/" INBOX)",
                               R"(* LSUB () "/" gone)",
                               R"(* LSUB () "/" news/comp)",
                           }));
}

TEST(ListSelect, NamesAreModifiedUtf7OnTheWire) {
  auto lines = run({mbox("INBOX"), mbox("Entwürfe"), mbox("a b")}, pattern("*"));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       R"(* LIST (\HasNoChildren) "/" INBOX)",
                       R"(* LIST (\HasNoChildren) "/" Entw&APw-rfe)",
                       R"(* LIST (\HasNoChildren) "/" "a b")",
                   }));
}

TEST(ListSelect, SpecialUseNames) {
  EXPECT_EQ(special_use_names(store::kSent | store::kDrafts), "\\Drafts \\Sent");
  EXPECT_EQ(special_use_names(0), "");
  EXPECT_EQ(special_use_bit("\\trash"), store::kTrash);
  EXPECT_EQ(special_use_bit("\\Important"), 0);
}

}  // namespace
}  // namespace courriel::imap
