#include "store/index/uid_bitmap.h"

#include <bit>
#include <cstring>

namespace courriel::store::index {
namespace {

// Word `i` of a chunk (bytes 8i..8i+7, little-endian), or 0 past its end.
uint64_t word_at(std::string_view chunk, size_t i) {
  uint64_t w = 0;
  if (8 * i + 8 <= chunk.size()) {
    std::memcpy(&w, chunk.data() + 8 * i, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  }
  return w;
}

}  // namespace

void set_uid_bit(std::string& chunk, uint32_t uid, bool on) {
  if (chunk.size() != kChunkBytes) chunk.resize(kChunkBytes, '\0');
  uint32_t bit = uid % kChunkBits;
  auto& byte = reinterpret_cast<unsigned char&>(chunk[bit / 8]);
  unsigned char mask = static_cast<unsigned char>(1u << (bit % 8));
  byte = on ? (byte | mask) : (byte & static_cast<unsigned char>(~mask));
}

bool chunk_empty(std::string_view chunk) {
  for (char c : chunk)
    if (c != 0) return false;
  return true;
}

void append_chunk_uids(std::string_view chunk, uint32_t chunk_no, std::vector<uint32_t>& out) {
  uint32_t base = chunk_no * kChunkBits;
  for (size_t i = 0; i < kChunkBytes / 8; ++i) {
    uint64_t w = word_at(chunk, i);
    if (w == ~uint64_t(0)) {  // dense mailboxes: a whole word at once
      for (uint32_t b = 0; b < 64; ++b) out.push_back(base + uint32_t(64 * i) + b);
      continue;
    }
    while (w) {
      out.push_back(base + uint32_t(64 * i) + uint32_t(std::countr_zero(w)));
      w &= w - 1;
    }
  }
}

void append_chunk_ranges(std::string_view chunk, uint32_t chunk_no, std::vector<UidRange>& out) {
  auto add = [&](uint32_t first, uint32_t n) {
    if (!out.empty() && out.back().last + 1 == first) {
      out.back().last += n;
    } else {
      out.push_back({first, first + n - 1});
    }
  };
  uint32_t base = chunk_no * kChunkBits;
  for (size_t i = 0; i < kChunkBytes / 8; ++i) {
    uint64_t w = word_at(chunk, i);
    uint32_t at = base + uint32_t(64 * i);
    while (w) {  // each run of ones in the word
      int zeros = std::countr_zero(w);
      w >>= zeros;
      at += uint32_t(zeros);
      int ones = std::countr_one(w);
      add(at, uint32_t(ones));
      if (ones == 64) break;
      w >>= ones;
      at += uint32_t(ones);
    }
  }
}

std::optional<uint32_t> first_chunk_uid(std::string_view chunk, uint32_t chunk_no) {
  for (size_t i = 0; i < kChunkBytes / 8; ++i)
    if (uint64_t w = word_at(chunk, i))
      return chunk_no * kChunkBits + uint32_t(64 * i) + uint32_t(std::countr_zero(w));
  return std::nullopt;
}

}  // namespace courriel::store::index
