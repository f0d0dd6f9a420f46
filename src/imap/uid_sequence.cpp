#include "imap/uid_sequence.h"

#include <algorithm>

namespace courriel::imap {

UidSequence::UidSequence(const std::vector<store::UidRange>& ranges) {
  runs_.reserve(ranges.size());
  for (const auto& r : ranges) runs_.push_back({r.first, r.last, 0});
  renumber();
}

void UidSequence::renumber() {
  uint32_t seq = 1;
  for (auto& r : runs_) {
    r.seq = seq;
    seq += r.last - r.first + 1;
  }
  size_ = seq - 1;
}

uint32_t UidSequence::at(uint32_t seq) const {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), seq,
                             [](uint32_t s, const Run& r) { return s < r.seq; });
  --it;  // the last run starting at or before seq
  return it->first + (seq - it->seq);
}

std::vector<UidSequence::Run>::const_iterator UidSequence::run_at_or_after(uint32_t uid) const {
  return std::lower_bound(runs_.begin(), runs_.end(), uid,
                          [](const Run& r, uint32_t u) { return r.last < u; });
}

uint32_t UidSequence::seq_of(uint32_t uid) const {
  auto it = run_at_or_after(uid);
  if (it == runs_.end() || uid < it->first) return 0;
  return it->seq + (uid - it->first);
}

uint32_t UidSequence::count_from(uint32_t uid) const {
  auto it = run_at_or_after(uid);
  if (it == runs_.end()) return 0;
  uint32_t seq = it->seq + (uid > it->first ? uid - it->first : 0);
  return size_ - seq + 1;
}

void UidSequence::push_back(uint32_t uid) {
  if (!runs_.empty() && runs_.back().last + 1 == uid) {
    runs_.back().last = uid;
  } else {
    runs_.push_back({uid, uid, size_ + 1});
  }
  ++size_;
}

void UidSequence::erase(std::span<const uint32_t> uids) {
  if (uids.empty()) return;
  std::vector<Run> kept;
  kept.reserve(runs_.size() + uids.size());
  auto gone = uids.begin();
  for (const Run& r : runs_) {
    uint64_t from = r.first;  // the part of r not yet kept or removed
    while (gone != uids.end() && *gone < from) ++gone;
    while (gone != uids.end() && *gone <= r.last) {
      if (*gone > from) kept.push_back({uint32_t(from), *gone - 1, 0});
      from = uint64_t(*gone) + 1;
      ++gone;
    }
    if (from <= r.last) kept.push_back({uint32_t(from), r.last, 0});
  }
  runs_ = std::move(kept);
  renumber();
}

void UidSequence::append_by_seq(uint32_t lo, uint32_t hi, std::vector<uint32_t>& out) const {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), lo,
                             [](uint32_t s, const Run& r) { return s < r.seq; });
  --it;
  uint32_t seq = lo;
  for (; it != runs_.end() && seq <= hi; ++it) {
    uint32_t uid = it->first + (seq - it->seq);
    uint32_t last = std::min<uint64_t>(it->last, uint64_t(it->first) + (hi - it->seq));
    for (uint64_t u = uid; u <= last; ++u, ++seq) out.push_back(uint32_t(u));
  }
}

void UidSequence::append_by_uid(uint32_t lo, uint32_t hi, std::vector<uint32_t>& out) const {
  for (auto it = run_at_or_after(lo); it != runs_.end() && it->first <= hi; ++it) {
    uint64_t last = std::min(it->last, hi);
    for (uint64_t u = std::max(it->first, lo); u <= last; ++u) out.push_back(uint32_t(u));
  }
}

}  // namespace courriel::imap
