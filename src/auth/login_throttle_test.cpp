#include "auth/login_throttle.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace courriel::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// (Built with append rather than "literal" + std::to_string(): g++ 12 at -O3
// reports a false -Wrestrict on the latter.)
std::string key(std::string prefix, int i) {
  prefix.append(std::to_string(i));
  return prefix;
}

TEST(LoginThrottle, DoublesUpToTheCap) {
  LoginThrottle t;  // 500 ms, 15 s, 15 min
  auto now = LoginThrottle::Clock::time_point{} + minutes(100);
  const long expected[] = {500, 1000, 2000, 4000, 8000, 15000, 15000};
  for (long ms : expected) EXPECT_EQ(t.failure("10.0.0.1", now), milliseconds(ms));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(t.failure("10.0.0.1", now), seconds(15));  // no overflow
  EXPECT_EQ(t.failure("10.0.0.2", now), milliseconds(500));                          // per address
}

TEST(LoginThrottle, SuccessResets) {
  LoginThrottle t(milliseconds(100), seconds(1), minutes(1));
  auto now = LoginThrottle::Clock::now();
  t.failure("a", now);
  t.failure("a", now);
  EXPECT_EQ(t.size(), 1u);
  t.success("a");
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.failure("a", now), milliseconds(100));
  t.success("unknown");  // harmless
}

TEST(LoginThrottle, ForgetsAfterQuietPeriod) {
  LoginThrottle t(milliseconds(100), seconds(10), seconds(60));
  auto now = LoginThrottle::Clock::time_point{} + minutes(100);
  t.failure("a", now);
  EXPECT_EQ(t.failure("a", now + seconds(60)), milliseconds(200));   // not yet forgotten
  EXPECT_EQ(t.failure("a", now + seconds(121)), milliseconds(100));  // 61 s quiet
}

TEST(LoginThrottle, BoundedMemory) {
  LoginThrottle t(milliseconds(100), seconds(10), seconds(60), 100);
  auto now = LoginThrottle::Clock::time_point{} + minutes(100);
  for (int i = 0; i < 100; ++i) t.failure(key("old", i), now);
  EXPECT_EQ(t.size(), 100u);
  // All stale: the next new address sweeps them out.
  t.failure("new", now + minutes(5));
  EXPECT_EQ(t.size(), 1u);
  // Full of recent entries: the oldest tenth makes room.
  for (int i = 0; i < 99; ++i) t.failure(key("r", i), now + minutes(6) + seconds(i));
  EXPECT_EQ(t.size(), 100u);
  t.failure("latest", now + minutes(7));
  EXPECT_LE(t.size(), 100u);
  EXPECT_GE(t.size(), 90u);
  // "new" was the oldest and is gone; the most recent ones remain.
  EXPECT_EQ(t.failure("new", now + minutes(7)), milliseconds(100));
  EXPECT_EQ(t.failure("r98", now + minutes(7)), milliseconds(200));
}

TEST(LoginThrottle, ThreadSafe) {
  LoginThrottle t(milliseconds(1), seconds(1), seconds(60), 1000);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&t, k] {
      for (int i = 0; i < 2000; ++i) {
        t.failure(key("addr", (i * 7 + k) % 1500));
        if (i % 10 == 0) t.success(key("addr", i % 1500));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(t.size(), 1000u);
}

}  // namespace
}  // namespace courriel::auth
