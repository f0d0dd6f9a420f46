// Kills a process that is appending (SIGKILL at a random moment) and checks
// that every acknowledged message survives and the index opens without repair.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <sstream>
#include <thread>

#include "store/maildir/maildir_store.h"
#include "store/maildir/test_util.h"

namespace courriel::store {
namespace {

using testing::make_message;
using testing::read_all;

std::string body_for(int thread, int i) {
  return "Subject: t" + std::to_string(thread) + " n" + std::to_string(i) + "\r\n\r\n" + std::string(2000, 'x') + "\r\n";
}

[[noreturn]] void child(const StoreSettings& settings, int fd) {
  auto acc = make_maildir_store(settings)->open("crash@example.org");
  if (!acc.ok()) _exit(2);
  auto a = *acc;
  MailboxId inbox = *a->lookup("INBOX");
  std::vector<std::thread> ts;
  for (int t = 0; t < 3; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        std::vector<NewMessage> v;
        v.push_back(make_message(*a, body_for(t, i), Flags{uint8_t(i % 2 ? kSeen : 0), {"k" + std::to_string(t)}}));
        auto r = a->append(inbox, std::move(v));
        if (!r.ok()) _exit(3);
        // Acknowledged: report it (one short write, atomic on a pipe).
        std::string line = std::to_string(r->uids[0]) + " " + std::to_string(t) + " " + std::to_string(i) + "\n";
        if (::write(fd, line.data(), line.size()) != ssize_t(line.size())) _exit(4);
      }
    });
  for (auto& t : ts) t.join();
  _exit(0);
}

TEST(MaildirCrash, KilledAppenderLosesNoAcknowledgedMessage) {
  testing::TempDir dir;
  StoreSettings settings;
  settings.data_dir = dir.path();
  settings.fsync = true;
  std::vector<std::string> repairs;
  settings.on_repair = [&](const std::string&, const std::string& w) { repairs.push_back(w); };
  std::mt19937 rng(std::random_device{}());
  size_t total_acked = 0;
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      child(settings, fds[1]);
    }
    ::close(fds[1]);
    // Wait for the first acknowledgement, then kill at a random moment.
    std::string acked;
    char buf[4096];
    ssize_t n;
    while (acked.find('\n') == std::string::npos && (n = ::read(fds[0], buf, sizeof buf)) > 0)
      acked.append(buf, size_t(n));
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 250));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status)) << "child exited " << WEXITSTATUS(status);
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) acked.append(buf, size_t(n));
    ::close(fds[0]);

    // Reopen as a new process would (this process never opened it before).
    auto a = *make_maildir_store(settings)->open("crash@example.org");
    EXPECT_TRUE(repairs.empty()) << repairs[0];
    MailboxId inbox = *a->lookup("INBOX");
    std::istringstream in(acked);
    uint32_t uid;
    int t, i;
    size_t count = 0;
    while (in >> uid >> t >> i) {
      ++count;
      ASSERT_EQ(read_all(*a, inbox, uid), body_for(t, i)) << "uid " << uid;
      auto m = a->messages(inbox, std::vector<uint32_t>{uid});
      ASSERT_EQ(m->size(), 1u);
      EXPECT_EQ((*m)[0].flags, (Flags{uint8_t(i % 2 ? kSeen : 0), {"k" + std::to_string(t)}}));
    }
    EXPECT_GT(count, 0u);
    total_acked += count;
    // UIDs stay unique and the index agrees with the Maildir afterwards.
    auto snap = *testing::full_snapshot(*a, inbox, false);
    for (size_t k = 1; k < snap.messages.size(); ++k) ASSERT_LT(snap.messages[k - 1].uid, snap.messages[k].uid);
    EXPECT_GE(snap.messages.size(), total_acked);
    auto problems = *check_index(settings, "crash@example.org");
    for (auto& p : problems) EXPECT_EQ(p.find("missing"), std::string::npos) << p;
  }
  std::cout << "[ info ] " << total_acked << " acknowledged appends survived 3 SIGKILLs\n";
}

}  // namespace
}  // namespace courriel::store

namespace courriel::store {
namespace {

TEST(MaildirProcesses, TwoProcessesAppendToTheSameMailbox) {
  testing::TempDir dir;
  StoreSettings settings;
  settings.data_dir = dir.path();
  settings.fsync = false;
  auto a = *make_maildir_store(settings)->open("two@example.org");
  MailboxId inbox = *a->lookup("INBOX");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Like `courriel deliver` running beside the server.
    auto acc = make_maildir_store(settings)->open("two@example.org");
    if (!acc.ok() || acc->get() == a.get()) _exit(2);
    for (int i = 0; i < 150; ++i) {
      std::vector<NewMessage> v;
      v.push_back(make_message(**acc, "child " + std::to_string(i)));
      if (!(*acc)->append(inbox, std::move(v)).ok()) _exit(3);
    }
    _exit(0);
  }
  for (int i = 0; i < 150; ++i) testing::append_one(*a, inbox, "parent " + std::to_string(i));
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto snap = *testing::full_snapshot(*a, inbox, false);
  ASSERT_EQ(snap.messages.size(), 300u);
  EXPECT_EQ(snap.messages.back().uid, 300u);
  EXPECT_EQ(snap.uidnext, 301u);
  int child = 0;
  for (auto& m : snap.messages) child += read_all(*a, inbox, m.uid).starts_with("child ");
  EXPECT_EQ(child, 150);
  EXPECT_TRUE(check_index(settings, "two@example.org")->empty());
}

}  // namespace
}  // namespace courriel::store
