// Slows down password guessing: each failed login from a client address makes
// the next answer to that address wait longer (base, 2*base, 4*base, ... up to
// max). The caller applies the delay (a timer, never a sleeping thread) before
// sending the failure response. A success, or forget_after without a failure,
// clears the address.
//
// The key is whatever the caller decides identifies a client: the IPv4 address,
// or for IPv6 rather the /64 prefix, since one host owns a whole /64.
//
// Memory is bounded: at most max_entries addresses are remembered; when full,
// stale entries go first, then the oldest tenth.
//
// Thread-safety: all members are safe to call from any thread (one mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace courriel::auth {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginThrottle(std::chrono::milliseconds base = std::chrono::milliseconds(500),
                         std::chrono::milliseconds max = std::chrono::seconds(15),
                         std::chrono::seconds forget_after = std::chrono::minutes(15),
                         size_t max_entries = 100'000);

  // Records a failure from `address` and returns the delay to apply before
  // answering: base * 2^(n-1) for the n-th failure in a row, capped at max.
  std::chrono::milliseconds failure(std::string_view address, Clock::time_point now = Clock::now());

  // Forgets `address` (a login from it succeeded).
  void success(std::string_view address);

  // Addresses currently remembered (for tests and metrics).
  size_t size() const;

 private:
  struct Entry {
    uint32_t failures = 0;
    Clock::time_point last;
  };

  // REQUIRES: mutex_ held. Makes room for one more entry.
  void evict(Clock::time_point now);

  const std::chrono::milliseconds base_;
  const std::chrono::milliseconds max_;
  const std::chrono::seconds forget_after_;
  const size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mutex_)
};

}  // namespace courriel::auth
