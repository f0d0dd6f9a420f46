// Per-mailbox UID bitmaps, kept in the index beside the message records so
// that SELECT reads a mailbox's UIDs and its first unseen message without
// visiting one record per message (DESIGN.md §5: SELECT of a million
// messages is served from the index).
//
// A mailbox's bitmap is cut into chunks of kChunkBits UIDs, each stored under
// (mailbox, chunk number) as kChunkBytes bytes, bit (uid % kChunkBits) set
// for a member; an all-zero chunk is not stored. 100,000 dense UIDs are 25
// chunks (12.5 KB); appending touches only the last chunk.
//
// Pure functions over chunk strings; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace courriel::store::index {

inline constexpr uint32_t kChunkBits = 4096;
inline constexpr size_t kChunkBytes = kChunkBits / 8;

inline uint32_t chunk_of(uint32_t uid) { return uid / kChunkBits; }

// Sets or clears `uid`'s bit in `chunk` (made kChunkBytes long if it is not).
void set_uid_bit(std::string& chunk, uint32_t uid, bool on);
bool chunk_empty(std::string_view chunk);
// Appends the members of chunk number `chunk_no` to `out`, ascending.
void append_chunk_uids(std::string_view chunk, uint32_t chunk_no, std::vector<uint32_t>& out);
// The same as ranges of consecutive UIDs, merged with out.back() when they
// continue it (chunks are read in order).
void append_chunk_ranges(std::string_view chunk, uint32_t chunk_no, std::vector<UidRange>& out);
// The smallest member of chunk number `chunk_no`, if any.
std::optional<uint32_t> first_chunk_uid(std::string_view chunk, uint32_t chunk_no);

}  // namespace courriel::store::index
