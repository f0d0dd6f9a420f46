#include "imap/uid_sequence.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace courriel::imap {
namespace {

// The same operations on a plain vector: what UidSequence must agree with.
struct Model {
  std::vector<uint32_t> uids;
  uint32_t seq_of(uint32_t uid) const {
    auto it = std::lower_bound(uids.begin(), uids.end(), uid);
    return it != uids.end() && *it == uid ? uint32_t(it - uids.begin() + 1) : 0;
  }
};

void expect_same(const UidSequence& s, const Model& m) {
  ASSERT_EQ(s.size(), m.uids.size());
  for (uint32_t i = 0; i < m.uids.size(); ++i) ASSERT_EQ(s.at(i + 1), m.uids[i]) << "seq " << i + 1;
  uint32_t top = m.uids.empty() ? 10 : m.uids.back() + 3;
  for (uint32_t u = 0; u <= top; ++u) {
    ASSERT_EQ(s.seq_of(u), m.seq_of(u)) << "uid " << u;
    uint32_t from = uint32_t(m.uids.end() - std::lower_bound(m.uids.begin(), m.uids.end(), u));
    ASSERT_EQ(s.count_from(u), from) << "uid " << u;
  }
}

TEST(UidSequence, RangesPushAndErase) {
  UidSequence s({{1, 5}, {8, 9}});
  Model m{{1, 2, 3, 4, 5, 8, 9}};
  expect_same(s, m);
  EXPECT_EQ(s.back(), 9u);
  s.push_back(10);
  s.push_back(20);
  m.uids.insert(m.uids.end(), {10, 20});
  expect_same(s, m);
  std::vector<uint32_t> gone{1, 3, 4, 7, 9, 20, 25};
  s.erase(gone);
  m.uids = {2, 5, 8, 10};
  expect_same(s, m);
  std::vector<uint32_t> out;
  s.append_by_seq(2, 4, out);
  EXPECT_EQ(out, (std::vector<uint32_t>{5, 8, 10}));
  out.clear();
  s.append_by_uid(3, 9, out);
  EXPECT_EQ(out, (std::vector<uint32_t>{5, 8}));
  s.erase(m.uids);
  EXPECT_TRUE(s.empty());
}

TEST(UidSequence, AgreesWithAVectorUnderRandomChanges) {
  std::mt19937 rng(7);
  UidSequence s;
  Model m;
  uint32_t next = 1;
  for (int round = 0; round < 300; ++round) {
    int n = int(rng() % 5);
    for (int i = 0; i < n; ++i) {
      next += 1 + (rng() % 4 == 0 ? rng() % 3 : 0);
      s.push_back(next);
      m.uids.push_back(next);
    }
    if (rng() % 3 == 0 && !m.uids.empty()) {
      std::vector<uint32_t> gone;
      for (uint32_t u : m.uids)
        if (rng() % 4 == 0) gone.push_back(u);
      s.erase(gone);
      std::erase_if(m.uids, [&](uint32_t u) { return std::binary_search(gone.begin(), gone.end(), u); });
    }
  }
  expect_same(s, m);
  if (m.uids.size() >= 3) {
    std::vector<uint32_t> out;
    s.append_by_seq(2, uint32_t(m.uids.size()), out);
    EXPECT_EQ(out, std::vector<uint32_t>(m.uids.begin() + 1, m.uids.end()));
    out.clear();
    s.append_by_uid(m.uids[1], m.uids.back() - 1, out);
    EXPECT_EQ(out, std::vector<uint32_t>(m.uids.begin() + 1, m.uids.end() - 1));
  }
}

}  // namespace
}  // namespace courriel::imap
