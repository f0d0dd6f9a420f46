#include "store/index/uid_bitmap.h"

#include <gtest/gtest.h>

namespace courriel::store::index {
namespace {

TEST(UidBitmap, SetClearAndList) {
  std::string c;
  for (uint32_t uid : {4096u + 1, 4096u + 63, 4096u + 64, 4096u + 4095}) set_uid_bit(c, uid, true);
  EXPECT_EQ(c.size(), kChunkBytes);
  std::vector<uint32_t> out;
  append_chunk_uids(c, 1, out);
  EXPECT_EQ(out, (std::vector<uint32_t>{4097, 4159, 4160, 8191}));
  EXPECT_EQ(first_chunk_uid(c, 1), 4097u);
  set_uid_bit(c, 4097, false);
  EXPECT_EQ(first_chunk_uid(c, 1), 4159u);
  for (uint32_t uid : {4159u, 4160u, 8191u}) set_uid_bit(c, uid, false);
  EXPECT_TRUE(chunk_empty(c));
  EXPECT_EQ(first_chunk_uid(c, 1), std::nullopt);
}

TEST(UidBitmap, DenseWordsAndChunkNumbers) {
  std::string c;
  for (uint32_t uid = 0; uid < 200; ++uid) set_uid_bit(c, 3 * kChunkBits + uid, true);
  std::vector<uint32_t> out{7};
  append_chunk_uids(c, 3, out);
  ASSERT_EQ(out.size(), 201u);
  EXPECT_EQ(out[0], 7u);  // appends, keeps what was there
  EXPECT_EQ(out[1], 3 * kChunkBits);
  EXPECT_EQ(out.back(), 3 * kChunkBits + 199);
  EXPECT_EQ(chunk_of(3 * kChunkBits + 199), 3u);
}

TEST(UidBitmap, RangesMergeAcrossWordsAndChunks) {
  std::string c0, c1;
  for (uint32_t uid = 1; uid < kChunkBits; ++uid)
    if (uid != 100) set_uid_bit(c0, uid, true);
  for (uint32_t uid : {kChunkBits, kChunkBits + 1, kChunkBits + 63, kChunkBits + 64, kChunkBits + 65})
    set_uid_bit(c1, uid, true);
  std::vector<UidRange> out;
  append_chunk_ranges(c0, 0, out);
  append_chunk_ranges(c1, 1, out);
  EXPECT_EQ(out, (std::vector<UidRange>{{1, 99}, {101, kChunkBits + 1}, {kChunkBits + 63, kChunkBits + 65}}));
  std::vector<uint32_t> uids;
  append_chunk_uids(c0, 0, uids);
  append_chunk_uids(c1, 1, uids);
  EXPECT_EQ(expand(out), uids);
}

TEST(UidBitmap, ShortOrEmptyChunkIsEmpty) {
  std::vector<uint32_t> out;
  append_chunk_uids("", 0, out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(chunk_empty(""));
}

}  // namespace
}  // namespace courriel::store::index
