// Quota (store.h Account::quota/set_quota) on the Maildir backend: limits kept
// in the index, usage exact through append, copy, move, expunge, delete and
// rebuild, and enforced inside the group commit.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/maildir/maildir_store.h"
#include "store/maildir/test_util.h"

namespace courriel::store {
namespace {

using testing::append_one;
using testing::full_snapshot;
using testing::make_message;

class QuotaTest : public ::testing::Test {
 protected:
  StoreSettings settings() {
    StoreSettings s;
    s.data_dir = dir_.path();
    s.fsync = false;
    s.default_storage_limit = default_storage_;
    s.default_message_limit = default_messages_;
    return s;
  }
  std::shared_ptr<Account> open() {
    store_.reset();
    store_ = make_maildir_store(settings());
    auto a = store_->open(user_);
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().detail);
    return a.ok() ? *a : nullptr;
  }
  static Account::Quota quota(Account& a) {
    auto q = a.quota();
    EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().detail);
    return q.ok() ? *q : Account::Quota{};
  }
  static MailboxId id(Account& a, const std::string& name) {
    auto r = a.lookup(name);
    EXPECT_TRUE(r.ok()) << name;
    return r.ok() ? *r : 0;
  }

  testing::TempDir dir_;
  std::string user_ = "alice@example.org";
  uint64_t default_storage_ = 0, default_messages_ = 0;
  std::unique_ptr<Store> store_;
};

TEST_F(QuotaTest, LimitsPersistAndOverrideDefaults) {
  default_storage_ = 5000;
  default_messages_ = 7;
  {
    auto a = open();
    auto q = quota(*a);
    EXPECT_EQ(q.storage_limit, 5000u);
    EXPECT_EQ(q.messages_limit, 7u);
    EXPECT_EQ(q.storage_used, 0u);
    EXPECT_EQ(q.messages_used, 0u);
    ASSERT_TRUE(a->set_quota(100000, std::nullopt).ok());
    q = quota(*a);
    EXPECT_EQ(q.storage_limit, 100000u);
    EXPECT_EQ(q.messages_limit, 7u);  // still the default
    ASSERT_TRUE(a->set_quota(std::nullopt, 0).ok());  // 0: unlimited, not the default
  }
  auto a = open();
  auto q = quota(*a);
  EXPECT_EQ(q.storage_limit, 100000u);
  EXPECT_EQ(q.messages_limit, 0u);
}

TEST_F(QuotaTest, UsageExactThroughAppendCopyMoveExpungeDelete) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  ASSERT_TRUE(a->create("Work").ok());
  MailboxId work = id(*a, "Work");
  std::string m1(100, 'a'), m2(250, 'b');
  uint32_t u1 = append_one(*a, inbox, m1);
  uint32_t u2 = append_one(*a, inbox, m2);
  auto q = quota(*a);
  EXPECT_EQ(q.messages_used, 2u);
  EXPECT_EQ(q.storage_used, 350u);

  std::vector<uint32_t> both{u1, u2};
  ASSERT_TRUE(a->copy(inbox, both, work, false).ok());
  q = quota(*a);
  EXPECT_EQ(q.messages_used, 4u);
  EXPECT_EQ(q.storage_used, 700u);

  std::vector<uint32_t> one{u1};
  ASSERT_TRUE(a->copy(inbox, one, work, true).ok());  // MOVE: no change
  q = quota(*a);
  EXPECT_EQ(q.messages_used, 4u);
  EXPECT_EQ(q.storage_used, 700u);

  std::vector<uint32_t> two{u2};
  ASSERT_TRUE(a->store(inbox, two, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr).ok());
  auto gone = a->expunge(inbox, std::nullopt);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->size(), 1u);
  q = quota(*a);
  EXPECT_EQ(q.messages_used, 3u);
  EXPECT_EQ(q.storage_used, 450u);

  ASSERT_TRUE(a->remove("Work").ok());
  q = quota(*a);
  EXPECT_EQ(q.messages_used, 0u);
  EXPECT_EQ(q.storage_used, 0u);
}

TEST_F(QuotaTest, AppendAndCopyRefusedOverLimit) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  ASSERT_TRUE(a->set_quota(1000, 3).ok());
  append_one(*a, inbox, std::string(600, 'x'));
  // 600 + 500 > 1000: refused, nothing stored.
  std::vector<NewMessage> big;
  big.push_back(make_message(*a, std::string(500, 'y')));
  auto r = a->append(inbox, std::move(big));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::over_quota);
  // A smaller one fits exactly.
  uint32_t u2 = append_one(*a, inbox, std::string(400, 'z'));
  auto q = quota(*a);
  EXPECT_EQ(q.storage_used, 1000u);
  EXPECT_EQ(q.messages_used, 2u);
  // COPY would go over; MOVE within the account is allowed at the limit.
  ASSERT_TRUE(a->create("Work").ok());
  MailboxId work = id(*a, "Work");
  std::vector<uint32_t> one{u2};
  auto c = a->copy(inbox, one, work, false);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.code(), Errc::over_quota);
  auto snap = full_snapshot(*a, work);
  ASSERT_TRUE(snap.ok());
  EXPECT_TRUE(snap->messages.empty());
  ASSERT_TRUE(a->copy(inbox, one, work, true).ok());
  q = quota(*a);
  EXPECT_EQ(q.storage_used, 1000u);
  EXPECT_EQ(q.messages_used, 2u);
  // The message limit: raise storage, then a third fits and a fourth not.
  ASSERT_TRUE(a->set_quota(0, std::nullopt).ok());
  append_one(*a, inbox, "third");
  std::vector<NewMessage> fourth;
  fourth.push_back(make_message(*a, "fourth"));
  r = a->append(inbox, std::move(fourth));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::over_quota);
  // Expunge frees.
  auto snap2 = full_snapshot(*a, inbox);
  ASSERT_TRUE(snap2.ok());
  std::vector<uint32_t> first{snap2->messages.at(0).uid};
  ASSERT_TRUE(a->store(inbox, first, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr).ok());
  ASSERT_TRUE(a->expunge(inbox, std::nullopt).ok());
  append_one(*a, inbox, "fourth");
  EXPECT_EQ(quota(*a).messages_used, 3u);
}

TEST_F(QuotaTest, ConcurrentAppendsNeverOvershoot) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  constexpr uint64_t kSize = 100;
  ASSERT_TRUE(a->set_quota(kSize * 50, std::nullopt).ok());
  std::atomic<int> stored{0}, refused{0}, other{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        std::vector<NewMessage> v;
        v.push_back(make_message(*a, std::string(kSize, 'q')));
        auto r = a->append(inbox, std::move(v));
        if (r.ok()) {
          stored++;
        } else if (r.code() == Errc::over_quota) {
          refused++;
        } else {
          other++;
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(stored.load(), 50);
  EXPECT_EQ(refused.load(), 30);
  auto q = quota(*a);
  EXPECT_EQ(q.storage_used, kSize * 50);
  EXPECT_EQ(q.messages_used, 50u);
  auto st = a->status("INBOX");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->messages, 50u);
}

TEST_F(QuotaTest, RebuildRecomputesUsageAndKeepsLimits) {
  auto a = open();
  MailboxId inbox = id(*a, "INBOX");
  ASSERT_TRUE(a->set_quota(123456, 99).ok());
  append_one(*a, inbox, std::string(300, 'r'));
  append_one(*a, inbox, std::string(200, 's'));
  // A file dropped in by another program counts once picked up.
  testing::write_file(dir_.path() / "example.org" / "alice" / "Maildir" / "new" / "1.dropped.host",
                      std::string(50, 't'));
  ASSERT_TRUE(rebuild_index(settings(), user_).ok());
  auto q = quota(*a);
  EXPECT_EQ(q.messages_used, 3u);
  EXPECT_EQ(q.storage_used, 550u);
  EXPECT_EQ(q.storage_limit, 123456u);
  EXPECT_EQ(q.messages_limit, 99u);
}

}  // namespace
}  // namespace courriel::store
