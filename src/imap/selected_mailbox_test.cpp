#include "imap/selected_mailbox.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace courriel;
using namespace courriel::imap;

namespace {

store::MessageMeta meta(uint32_t uid, uint64_t modseq, uint8_t flags = 0,
                        std::vector<std::string> keywords = {}) {
  store::MessageMeta m;
  m.uid = uid;
  m.modseq = modseq;
  m.flags = store::Flags{flags, std::move(keywords)};
  return m;
}

SelectedMailbox make_view(std::vector<uint32_t> uids, uint32_t first_recent = 0) {
  store::MailboxSnapshot snap;
  snap.id = 7;
  snap.uidvalidity = 42;
  snap.uidnext = uids.empty() ? 1 : uids.back() + 1;
  snap.highest_modseq = 10;
  snap.first_recent_uid = first_recent;
  for (uint32_t u : uids)
    if (!snap.uid_ranges.empty() && snap.uid_ranges.back().last + 1 == u) {
      snap.uid_ranges.back().last = u;
    } else {
      snap.uid_ranges.push_back({u, u});
    }
  if (std::count(uids.begin(), uids.end(), 3u)) snap.first_unseen_uid = 3;
  return SelectedMailbox("INBOX", std::move(snap), false);
}

SequenceSet set(std::vector<SeqRange> ranges) { return SequenceSet{std::move(ranges), false}; }

}  // namespace

TEST(SelectedMailbox, ResolvesSequenceNumbers) {
  auto view = make_view({2, 3, 5, 9});
  EXPECT_EQ(view.first_unseen(), 2u);
  auto all = view.resolve(set({{1, SeqRange::kStar}}), false);
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::vector<uint32_t>{2, 3, 5, 9}));
  auto some = view.resolve(set({{4, 4}, {2, 1}}), false);  // reversed range, any order
  EXPECT_EQ(*some, (std::vector<uint32_t>{2, 3, 9}));
  EXPECT_FALSE(view.resolve(set({{5, 5}}), false));  // past the end: BAD
  // RFC 5182: "$" is empty until a search saves a result, then those UIDs.
  EXPECT_EQ(*view.resolve(SequenceSet{{}, true}, false), std::vector<uint32_t>{});
  view.save_result({3, 9, 11});
  EXPECT_EQ(*view.resolve(SequenceSet{{}, true}, true), (std::vector<uint32_t>{3, 9}));
}

TEST(SelectedMailbox, ResolvesUids) {
  auto view = make_view({2, 3, 5, 9});
  EXPECT_EQ(*view.resolve(set({{4, 100}}), true), (std::vector<uint32_t>{5, 9}));
  EXPECT_EQ(*view.resolve(set({{1, 1}}), true), std::vector<uint32_t>{});  // missing: skipped
  // RFC 9051 §6.4.8: 559:* includes the last UID even when 559 is past it.
  EXPECT_EQ(*view.resolve(set({{559, SeqRange::kStar}}), true), std::vector<uint32_t>{9});
  auto empty = make_view({});
  EXPECT_TRUE(empty.resolve(set({{1, SeqRange::kStar}}), true));
  EXPECT_FALSE(empty.resolve(set({{1, SeqRange::kStar}}), false));
}

TEST(SelectedMailbox, ReportsNewMessagesAndFlagChanges) {
  auto view = make_view({2, 3}, 3);
  EXPECT_EQ(view.recent_count(), 1u);
  store::Changes ch;
  ch.uidnext = 6;
  ch.highest_modseq = 12;
  ch.updated = {meta(3, 11, store::kFlagged), meta(5, 12)};
  std::string out;
  view.apply(ch, true, out);
  EXPECT_EQ(out,
            "* 3 EXISTS\r\n* 2 RECENT\r\n"
            "* 2 FETCH (UID 3 FLAGS (\\Flagged \\Recent))\r\n");
  EXPECT_EQ(view.exists(), 3u);
  EXPECT_EQ(view.modseq_seen(), 12u);
}

TEST(SelectedMailbox, HoldsExpungesBackUntilAllowed) {
  auto view = make_view({2, 3, 5});
  store::Changes ch;
  ch.highest_modseq = 11;
  ch.expunged = {3};
  std::string out;
  view.apply(ch, false, out);  // during FETCH by sequence number
  EXPECT_EQ(out, "");
  EXPECT_EQ(view.exists(), 3u);
  EXPECT_EQ(view.seq_of(5), 3u);
  out.clear();
  view.apply(store::Changes{.highest_modseq = 11}, true, out);  // at the next NOOP
  EXPECT_EQ(out, "* 2 EXPUNGE\r\n");
  EXPECT_EQ(view.seq_of(5), 2u);
}

TEST(SelectedMailbox, ExpungesHighestFirstSoNumbersStayRight) {
  auto view = make_view({1, 2, 3, 4});
  std::string out;
  view.expunge_now({1, 3, 4}, out);
  EXPECT_EQ(out, "* 4 EXPUNGE\r\n* 3 EXPUNGE\r\n* 1 EXPUNGE\r\n");
  EXPECT_EQ(view.exists(), 1u);
  EXPECT_EQ(view.uid_at(1), 2u);
}

TEST(SelectedMailbox, DoesNotEchoItsOwnStore) {
  auto view = make_view({2, 3});
  view.reported(meta(2, 11, store::kDeleted));
  store::Changes ch;
  ch.highest_modseq = 12;
  ch.updated = {meta(2, 11, store::kDeleted), meta(3, 12, store::kSeen)};
  std::string out;
  view.apply(ch, true, out);
  EXPECT_EQ(out, "* 2 FETCH (UID 3 FLAGS (\\Seen))\r\n");
}

TEST(SelectedMailbox, NewKeywordsAnnounceFlags) {
  auto view = make_view({2});
  store::Changes ch;
  ch.highest_modseq = 11;
  ch.updated = {meta(2, 11, 0, {"$Label1"})};
  std::string out;
  view.apply(ch, true, out);
  EXPECT_NE(out.find("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("PERMANENTFLAGS"), std::string::npos);
  EXPECT_NE(out.find("* 1 FETCH (UID 2 FLAGS ($Label1))"), std::string::npos);
}
