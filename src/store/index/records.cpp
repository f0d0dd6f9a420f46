#include "store/index/records.h"

#include <cstring>

namespace courriel::store::index {
namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += char((v >> (8 * i)) & 0xff);
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += char((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += char(v);
}

void put_str(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out += s;
}

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += char((v >> (8 * i)) & 0xff);
}

struct Reader {
  std::string_view s;
  size_t at = 0;
  bool ok = true;
  uint64_t le(int bytes) {
    if (at + size_t(bytes) > s.size()) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t(static_cast<unsigned char>(s[at + i])) << (8 * i);
    at += size_t(bytes);
    return v;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at >= s.size()) break;
      unsigned char c = static_cast<unsigned char>(s[at++]);
      v |= uint64_t(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  std::string str() {
    uint64_t n = varint();
    if (!ok || n > s.size() - at) {
      ok = false;
      return {};
    }
    std::string out(s.substr(at, n));
    at += n;
    return out;
  }
};

}  // namespace

std::string encode(const MailboxRecord& r) {
  std::string out;
  out.reserve(64 + r.name.size() + r.dir.size());
  put_le(out, r.uidvalidity, 4);
  put_le(out, r.uidnext, 4);
  put_le(out, r.highest_modseq, 8);
  put_le(out, r.first_recent_uid, 4);
  put_le(out, r.special_use, 1);
  put_le(out, uint64_t(r.new_mtime), 8);
  put_le(out, uint64_t(r.cur_mtime), 8);
  put_le(out, r.messages, 4);
  put_le(out, r.unseen, 4);
  put_le(out, r.deleted, 4);
  put_le(out, r.size, 8);
  put_str(out, r.name);
  put_str(out, r.dir);
  put_varint(out, r.keywords.size());
  for (const auto& k : r.keywords) put_str(out, k);
  return out;
}

std::optional<MailboxRecord> decode_mailbox(std::string_view v) {
  Reader rd{v};
  MailboxRecord r;
  r.uidvalidity = uint32_t(rd.le(4));
  r.uidnext = uint32_t(rd.le(4));
  r.highest_modseq = rd.le(8);
  r.first_recent_uid = uint32_t(rd.le(4));
  r.special_use = uint8_t(rd.le(1));
  r.new_mtime = int64_t(rd.le(8));
  r.cur_mtime = int64_t(rd.le(8));
  r.messages = uint32_t(rd.le(4));
  r.unseen = uint32_t(rd.le(4));
  r.deleted = uint32_t(rd.le(4));
  r.size = rd.le(8);
  r.name = rd.str();
  r.dir = rd.str();
  if (rd.ok && rd.at < v.size()) {  // absent in version-1 records
    uint64_t n = rd.varint();
    if (!rd.ok || n > v.size()) return std::nullopt;
    for (uint64_t i = 0; i < n && rd.ok; ++i) r.keywords.push_back(rd.str());
  }
  if (!rd.ok) return std::nullopt;
  return r;
}

std::string encode(const MessageRecord& r) {
  std::string out;
  out.reserve(32 + r.base.size());
  put_le(out, r.modseq, 8);
  put_le(out, r.size, 8);
  put_le(out, uint64_t(r.internal_date), 8);
  put_le(out, uint16_t(r.date_offset), 2);
  put_le(out, r.system, 1);
  put_str(out, r.base);
  put_varint(out, r.keywords.size());
  for (const auto& k : r.keywords) put_str(out, k);
  return out;
}

namespace {

std::optional<MessageRecord> decode_message_record(std::string_view v, bool with_base) {
  Reader rd{v};
  MessageRecord r;
  r.modseq = rd.le(8);
  r.size = rd.le(8);
  r.internal_date = int64_t(rd.le(8));
  r.date_offset = int16_t(uint16_t(rd.le(2)));
  r.system = uint8_t(rd.le(1));
  if (with_base) {
    r.base = rd.str();
  } else {
    uint64_t len = rd.varint();
    if (!rd.ok || len > v.size() - rd.at) return std::nullopt;
    rd.at += size_t(len);
  }
  uint64_t n = rd.varint();
  if (!rd.ok || n > v.size()) return std::nullopt;
  r.keywords.reserve(n);
  for (uint64_t i = 0; i < n && rd.ok; ++i) r.keywords.push_back(rd.str());
  if (!rd.ok) return std::nullopt;
  return r;
}

}  // namespace

std::optional<MessageRecord> decode_message(std::string_view v) {
  return decode_message_record(v, true);
}

std::optional<MessageRecord> decode_message_flags(std::string_view v) {
  return decode_message_record(v, false);
}

std::string key_u32(uint32_t a) {
  std::string k;
  put_be(k, a, 4);
  return k;
}

std::string key_u32x2(uint32_t a, uint32_t b) {
  std::string k;
  put_be(k, a, 4);
  put_be(k, b, 4);
  return k;
}

std::string key_extra(uint32_t mailbox, char tag, uint32_t uid) {
  std::string k;
  put_be(k, mailbox, 4);
  k += tag;
  put_be(k, uid, 4);
  return k;
}

std::string key_modseq(uint32_t mailbox, uint64_t modseq, uint32_t uid) {
  std::string k;
  put_be(k, mailbox, 4);
  put_be(k, modseq, 8);
  put_be(k, uid, 4);
  return k;
}

uint32_t get_be32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

uint64_t get_be64(std::string_view s, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

}  // namespace courriel::store::index
