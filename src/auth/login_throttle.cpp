#include "auth/login_throttle.h"

#include <algorithm>
#include <vector>

namespace courriel::auth {

LoginThrottle::LoginThrottle(std::chrono::milliseconds base, std::chrono::milliseconds max,
                             std::chrono::seconds forget_after, size_t max_entries)
    : base_(base),
      max_(std::max(base, max)),
      forget_after_(forget_after),
      max_entries_(std::max<size_t>(max_entries, 1)) {}

std::chrono::milliseconds LoginThrottle::failure(std::string_view address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(address));
  if (it == entries_.end()) {
    if (entries_.size() >= max_entries_) evict(now);
    it = entries_.emplace(std::string(address), Entry{}).first;
  } else if (now - it->second.last > forget_after_) {
    it->second.failures = 0;
  }
  Entry& e = it->second;
  if (e.failures < UINT32_MAX) ++e.failures;
  e.last = std::max(e.last, now);

  // base * 2^(n-1), doubling only while under max so nothing overflows.
  std::chrono::milliseconds delay = base_;
  for (uint32_t i = 1; i < e.failures && delay < max_; ++i) delay *= 2;
  return std::min(delay, max_);
}

void LoginThrottle::success(std::string_view address) {
  std::lock_guard lock(mutex_);
  entries_.erase(std::string(address));
}

size_t LoginThrottle::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void LoginThrottle::evict(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.last > forget_after_; });
  if (entries_.size() < max_entries_) return;
  // Still full of recent addresses: drop the oldest tenth at once, so that a
  // flood of new addresses costs one O(n) pass per max_entries/10 insertions.
  std::vector<Clock::time_point> times;
  times.reserve(entries_.size());
  for (const auto& kv : entries_) times.push_back(kv.second.last);
  const size_t drop = std::max<size_t>(1, entries_.size() / 10);
  std::nth_element(times.begin(), times.begin() + (drop - 1), times.end());
  const Clock::time_point cutoff = times[drop - 1];
  size_t dropped = 0;
  for (auto it = entries_.begin(); it != entries_.end() && dropped < drop;) {
    if (it->second.last <= cutoff) {
      it = entries_.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
}

}  // namespace courriel::auth
