// The per-user index's records (DESIGN.md §3) and their compact binary form.
//
// Keys are big-endian so that LMDB's byte order is numeric order (a cursor
// walks a mailbox's messages in UID order, its changes in modseq order);
// values are little-endian fixed fields followed by varint-prefixed strings.
// Tables (LMDB named databases):
//   meta      "version" -> u32, "next_id" -> u32, "last_uidvalidity" -> u32
//   mailboxes id(u32)  -> MailboxRecord
//   names     name     -> id(u32)
//   subs      name     -> ""          (subscriptions, may name no mailbox)
//   msgs      id,uid   -> MessageRecord
//   modseq    id,modseq(u64),uid -> kind (0 live message, 1 expunged)
//   expunged  id,uid   -> modseq(u64)  (QRESYNC, and leftover-file cleanup)
//   cache     id,uid   -> StoreSettings::make_cache blob
//   present   id,chunk -> uid_bitmap.h chunk of the mailbox's UIDs
//   unseen    id,chunk -> the same, of its messages without \Seen
//   lagging   id,uid   -> flags(u8) still in the file name, while a rename is due
//   extras    id,tag(u8),uid -> a make_cache extra (each tag's entries together)
//   vanished  id,uid   -> modseq(u64)  (expunged: another program deleted the file)
//
// Pure functions; thread-compatible values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace courriel::store::index {

// 2: the present/unseen bitmaps and MailboxRecord::keywords. A version-1
// index is upgraded in place by a rebuild, which keeps everything it knew.
inline constexpr uint32_t kIndexVersion = 2;

struct MailboxRecord {
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highest_modseq = 1;
  uint32_t first_recent_uid = 1;
  uint8_t special_use = 0;
  // Directory mtimes (ns) at the last scan; 0 = scan next time.
  int64_t new_mtime = 0;
  int64_t cur_mtime = 0;
  // Counters kept in step so STATUS is O(1).
  uint32_t messages = 0;
  uint32_t unseen = 0;
  uint32_t deleted = 0;
  uint64_t size = 0;
  std::string name;
  std::string dir;  // folder directory relative to the Maildir ("" = INBOX)
  // Every keyword a message of the mailbox has had, unique case-insensitively,
  // in first-seen order; never shrinks (the mailbox's FLAGS, RFC 9051 §7.3.5).
  std::vector<std::string> keywords;
};

struct MessageRecord {
  uint64_t modseq = 0;
  uint64_t size = 0;
  int64_t internal_date = 0;
  int16_t date_offset = 0;
  uint8_t system = 0;
  std::string base;  // unique part of the file name
  std::vector<std::string> keywords;
};

std::string encode(const MailboxRecord& r);
std::optional<MailboxRecord> decode_mailbox(std::string_view v);
std::string encode(const MessageRecord& r);
std::optional<MessageRecord> decode_message(std::string_view v);
// decode_message without the file name: what metadata readers (SELECT,
// FETCH FLAGS) need, with no allocation unless the message has keywords.
std::optional<MessageRecord> decode_message_flags(std::string_view v);

std::string key_u32(uint32_t a);
std::string key_u32x2(uint32_t a, uint32_t b);
std::string key_extra(uint32_t mailbox, char tag, uint32_t uid);
std::string key_modseq(uint32_t mailbox, uint64_t modseq, uint32_t uid);
uint32_t get_be32(std::string_view s, size_t at);
uint64_t get_be64(std::string_view s, size_t at);

}  // namespace courriel::store::index
