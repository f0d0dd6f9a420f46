#include "search/sort.h"

#include <gtest/gtest.h>

#include "search/date.h"
#include "search/test_message.h"

namespace courriel::search {
namespace {

using testing::FakeMailbox;
using Key = imap::SortCriterion::Key;
using V = std::vector<uint32_t>;

std::vector<imap::SortCriterion> crit(std::initializer_list<std::pair<Key, bool>> list) {
  std::vector<imap::SortCriterion> out;
  for (auto [k, r] : list) out.push_back({k, r});
  return out;
}

class SortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& m1 = mb.add(
        "From: \"Zed\" <alpha@example.com>\r\n"
        "To: Carol <zulu@example.com>\r\n"
        "Cc: mike@example.com\r\n"
        "Subject: Re: Budget\r\n"
        "Date: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n",
        11);
    m1.meta_.internal_date = 300;
    auto& m2 = mb.add(
        "From: =?UTF-8?Q?=C3=89milie?= <Bravo@example.com>\r\n"
        "To: yankee@example.com\r\n"
        "Subject: budget\r\n"
        "Date: Mon, 1 Jan 2024 23:00:00 -0500\r\n\r\na longer body here\r\n",
        12);
    m2.meta_.internal_date = 100;
    auto& m3 = mb.add(  // no From, To, Cc, Subject, Date
        "X-Nothing: here\r\n\r\nx\r\n", 13);
    m3.meta_.internal_date = 200;
    auto& m4 = mb.add(
        "From: charlie@example.com\r\n"
        "To: \"\" <xray@example.com>\r\n"
        "Cc: Group: a@b.c, d@e.f;\r\n"
        "Subject: [list] Fwd: Apples\r\n"
        "Date: garbage\r\n\r\n",
        14);
    m4.meta_.internal_date = 1704153600;  // 2024-01-02T00:00Z
    auto& m5 = mb.add(
        "From: \"Émilie\" <echo@example.com>\r\n"
        "Subject: apples (fwd)\r\n"
        "Date: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\n",
        15);
    m5.meta_.internal_date = 200;
  }
  V sorted(std::vector<imap::SortCriterion> c, bool uid = false) {
    return sort(c, mb.all(), uid);
  }
  FakeMailbox mb;
};

TEST_F(SortTest, Arrival) {
  EXPECT_EQ(sorted(crit({{Key::arrival, false}})), (V{2, 3, 5, 1, 4}));  // 3/5 tie: by seq
  EXPECT_EQ(sorted(crit({{Key::arrival, true}})), (V{4, 1, 3, 5, 2}));   // REVERSE keeps seq tie order
  EXPECT_EQ(sorted(crit({{Key::arrival, false}}), true), (V{12, 13, 15, 11, 14}));
}

TEST_F(SortTest, Date) {
  // m2: Jan 2 04:00Z; m1, m5: Jan 2 10:00Z; m4: unparsable -> internal Jan 2 00:00Z;
  // m3: no Date -> internal date 200.
  EXPECT_EQ(sorted(crit({{Key::date, false}})), (V{3, 4, 2, 1, 5}));
  EXPECT_EQ(sorted(crit({{Key::date, true}})), (V{1, 5, 2, 4, 3}));
}

TEST_F(SortTest, Size) {
  V order = sorted(crit({{Key::size, false}}));
  for (size_t i = 1; i < order.size(); ++i) {
    EXPECT_LE(mb.messages[order[i - 1] - 1]->meta_.size, mb.messages[order[i] - 1]->meta_.size);
  }
}

TEST_F(SortTest, AddressMailbox) {
  // FROM: addr-mailbox: alpha, Bravo, "", charlie, echo (case-insensitive).
  EXPECT_EQ(sorted(crit({{Key::from, false}})), (V{3, 1, 2, 4, 5}));
  EXPECT_EQ(sorted(crit({{Key::from, true}})), (V{5, 4, 2, 1, 3}));
  // TO: zulu, yankee, "", xray, "" -> empty first, seq order.
  EXPECT_EQ(sorted(crit({{Key::to, false}})), (V{3, 5, 4, 2, 1}));
  // CC: mike, "", "", a (group member; the group marker is skipped), "".
  EXPECT_EQ(sorted(crit({{Key::cc, false}})), (V{2, 3, 5, 4, 1}));
}

TEST_F(SortTest, Display) {
  // DISPLAYFROM: Zed, Émilie (decoded), "", charlie@example.com, Émilie.
  EXPECT_EQ(sorted(crit({{Key::display_from, false}})), (V{3, 4, 2, 5, 1}));  // "", C, É, É, Z
  // DISPLAYTO: Carol, yankee@example.com, "", xray@example.com (empty name), "".
  EXPECT_EQ(sorted(crit({{Key::display_to, false}})), (V{3, 5, 1, 4, 2}));
  EXPECT_EQ(display_value({}), "");
  EXPECT_EQ(display_value({mail::Address{std::nullopt, std::nullopt, "x", std::nullopt},
                           mail::Address{std::nullopt, std::nullopt, "u", "h"}}),
            "u@h");
}

TEST_F(SortTest, SubjectAndMultipleCriteria) {
  // base subjects: budget, budget, "", apples, apples.
  EXPECT_EQ(sorted(crit({{Key::subject, false}})), (V{3, 4, 5, 1, 2}));
  EXPECT_EQ(sorted(crit({{Key::subject, false}, {Key::arrival, true}})), (V{3, 4, 5, 1, 2}));
  EXPECT_EQ(sorted(crit({{Key::subject, false}, {Key::arrival, false}})), (V{3, 5, 4, 2, 1}));
  EXPECT_EQ(sorted(crit({{Key::subject, true}, {Key::date, false}})), (V{2, 1, 4, 5, 3}));
}

TEST_F(SortTest, EmptyAndNeeds) {
  FakeMailbox empty;
  EXPECT_TRUE(sort(crit({{Key::date, false}}), empty.all(), false).empty());
  EXPECT_FALSE(sort_needs(crit({{Key::arrival, false}, {Key::size, true}})).parsed);
  EXPECT_TRUE(sort_needs(crit({{Key::arrival, false}, {Key::from, false}})).parsed);
}

}  // namespace
}  // namespace courriel::search
