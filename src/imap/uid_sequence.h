// UidSequence: a session's sequence-number -> UID map (RFC 9051 §2.3.1.2),
// held as runs of consecutive UIDs. A mailbox of 100,000 messages that were
// never expunged is one run: SELECT builds it in microseconds and a selected
// connection keeps a few bytes instead of 400 KB. Lookups are binary
// searches over the runs.
//
// Thread-compatible value.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "store/store.h"

namespace courriel::imap {

class UidSequence {
 public:
  UidSequence() = default;
  // Ascending, disjoint ranges (store::MailboxSnapshot::uid_ranges).
  explicit UidSequence(const std::vector<store::UidRange>& ranges);

  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The UID of sequence number `seq` (1 <= seq <= size()).
  uint32_t at(uint32_t seq) const;
  uint32_t back() const { return runs_.back().last; }
  // The sequence number of `uid`; 0 when it is not in the map.
  uint32_t seq_of(uint32_t uid) const;
  // How many UIDs are >= uid.
  uint32_t count_from(uint32_t uid) const;

  // Appends `uid`, which must be greater than back().
  void push_back(uint32_t uid);
  // Removes the given UIDs (ascending); those not in the map are ignored.
  void erase(std::span<const uint32_t> uids);

  // Appends to `out` the UIDs of sequence numbers lo..hi (1 <= lo <= hi <= size()).
  void append_by_seq(uint32_t lo, uint32_t hi, std::vector<uint32_t>& out) const;
  // Appends to `out` the UIDs of the map within lo..hi.
  void append_by_uid(uint32_t lo, uint32_t hi, std::vector<uint32_t>& out) const;

 private:
  struct Run {
    uint32_t first = 0;
    uint32_t last = 0;
    uint32_t seq = 0;  // sequence number of `first`
  };
  // The run holding `uid`, or the first run after it.
  std::vector<Run>::const_iterator run_at_or_after(uint32_t uid) const;
  void renumber();

  std::vector<Run> runs_;
  uint32_t size_ = 0;
};

}  // namespace courriel::imap
