// Ad-hoc timings, not part of the normal run (DISABLED_): run with
//   courriel_store_test --gtest_also_run_disabled_tests --gtest_filter='*Bench*'
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/maildir/maildir_store.h"
#include "store/maildir/test_util.h"

namespace courriel::store {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

TEST(MaildirBench, DISABLED_Append10kWithFsync) {
  testing::TempDir dir;
  StoreSettings s;
  s.data_dir = dir.path();
  s.fsync = true;
  auto a = *make_maildir_store(s)->open("bench@example.org");
  MailboxId inbox = *a->lookup("INBOX");
  std::string body = "Subject: bench\r\n\r\n" + std::string(4096 - 20, 'x') + "\r\n";
  auto t0 = Clock::now();
  for (int i = 0; i < 500; ++i) testing::append_one(*a, inbox, body);
  double seq = ms_since(t0);
  std::cout << "[ bench ] 500 sequential 4 KB appends, fsync on: " << seq << " ms (" << seq / 500 << " ms each)\n";
  for (int threads : {8, 32}) {
    auto c0 = *maildir_counters(*a);
    t0 = Clock::now();
    std::vector<std::thread> ts;
    int each = 10000 / threads;
    for (int t = 0; t < threads; ++t)
      ts.emplace_back([&] {
        for (int i = 0; i < each; ++i) testing::append_one(*a, inbox, body);
      });
    for (auto& t : ts) t.join();
    double par = ms_since(t0);
    auto c1 = *maildir_counters(*a);
    std::cout << "[ bench ] 10,000 4 KB appends from " << threads << " threads, fsync on: " << par << " ms ("
              << 10000.0 / par * 1000 << "/s), " << (c1.append_batches - c0.append_batches) << " group commits\n";
  }
}

TEST(MaildirBench, DISABLED_HundredThousandMessages) {
  testing::TempDir dir;
  StoreSettings s;
  s.data_dir = dir.path();
  s.fsync = false;
  auto a = *make_maildir_store(s)->open("bench@example.org");
  MailboxId inbox = *a->lookup("INBOX");
  auto t0 = Clock::now();
  for (int b = 0; b < 100; ++b) {
    std::vector<NewMessage> v;
    for (int i = 0; i < 1000; ++i) v.push_back(testing::make_message(*a, "Subject: x\r\n\r\nbody\r\n"));
    ASSERT_TRUE(a->append(inbox, std::move(v)).ok());
  }
  std::cout << "[ bench ] 100,000 appends (fsync off, batches of 1000): " << ms_since(t0) << " ms\n";
  (void)a->snapshot(inbox, false);  // the first look after appends rescans cur/ (see report)
  t0 = Clock::now();
  auto snap = *a->snapshot(inbox, false);
  std::cout << "[ bench ] snapshot of " << expand(snap.uid_ranges).size() << " messages: " << ms_since(t0) << " ms\n";
  t0 = Clock::now();
  auto snap2 = *a->snapshot(inbox, true);
  std::cout << "[ bench ] snapshot(claim_recent) of " << expand(snap2.uid_ranges).size() << ": " << ms_since(t0) << " ms\n";
  std::vector<uint32_t> all = expand(snap.uid_ranges);
  t0 = Clock::now();
  auto ms = *a->messages(inbox, all);
  std::cout << "[ bench ] messages() on 100,000 UIDs: " << ms_since(t0) << " ms\n";
  t0 = Clock::now();
  auto st = a->store(inbox, all, FlagOp::add, Flags{kSeen, {}}, std::nullopt, nullptr);
  ASSERT_TRUE(st.ok());
  std::cout << "[ bench ] STORE +\\Seen on " << st->size() << ": " << ms_since(t0) << " ms\n";
  t0 = Clock::now();
  auto snap3 = *a->snapshot(inbox, false);
  std::cout << "[ bench ] snapshot right after (cur/ rescan): " << ms_since(t0) << " ms\n";
  t0 = Clock::now();
  auto ch = *a->changes_since(inbox, snap3.highest_modseq - 1);
  std::cout << "[ bench ] changes_since(last STORE): " << ch.updated.size() << " in " << ms_since(t0) << " ms\n";
  t0 = Clock::now();
  auto stt = *a->status("INBOX");
  std::cout << "[ bench ] STATUS: " << ms_since(t0) << " ms, unseen " << stt.unseen << "\n";
  t0 = Clock::now();
  (void)a->store(inbox, all, FlagOp::add, Flags{kDeleted, {}}, std::nullopt, nullptr);
  auto ex = *a->expunge(inbox, std::nullopt);
  std::cout << "[ bench ] STORE +\\Deleted + EXPUNGE of " << ex.size() << ": " << ms_since(t0) << " ms\n";
}

}  // namespace
}  // namespace courriel::store
