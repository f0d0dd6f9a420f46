// The Maildir++ + LMDB backend. Write operations take `write_mu_` (one writer
// per account in this process; LMDB's own lock serialises processes), do
// their index changes in one LMDB write transaction, and do the file
// operations that must be durable before the commit (renames into cur/ and a
// directory fsync) inside it; renames that only keep ":2," letters in step and
// unlinks of expunged files come after the commit: the index is the authority.
#include "store/maildir/maildir_store.h"

#include "base/mutf7.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "base/ascii.h"
#include "store/index/lmdb.h"
#include "store/index/records.h"
#include "store/index/uid_bitmap.h"
#include "store/maildir/layout.h"

namespace courriel::store {
namespace {

namespace fs = std::filesystem;
using index::Cursor;
using index::Env;
using index::MailboxRecord;
using index::MessageRecord;
using index::Txn;

constexpr const char* kUidValidityFile = "courriel-uidvalidity";
constexpr const char* kTrashPrefix = "..courriel-deleted-";

Error sys_error(std::string_view what, const std::string& path, int err = errno) {
  return make_error(err == ENOSPC || err == EDQUOT ? Errc::over_quota : Errc::internal,
                    std::string(what) + " " + path + ": " + std::strerror(err));
}

int64_t mtime_ns(const fs::path& p) {
  struct stat st;
  if (::stat(p.c_str(), &st) != 0) return -1;
  return int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

int64_t now_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// A directory mtime recorded after a scan: a very recent one may still
// change without its value changing (timestamps are coarse: a kernel tick on
// ext4/xfs, a whole second on file systems without sub-second times), so it
// is not trusted and the next check scans again.
int64_t stable_mtime(int64_t m) {
  if (m < 0) return 0;
  int64_t window = (m % 1000000000 == 0) ? 2000000000 : 50000000;
  return now_ns() - m < window ? 0 : m;
}

Status fsync_path(const fs::path& p, bool enabled) {
  if (!enabled) return {};
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return sys_error("open", p.string());
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return sys_error("fsync", p.string(), err);
  return {};
}

// Appends the names in `p` (dot files left out); false if it could not be
// read to the end.
bool read_dir(const fs::path& p, std::vector<std::string>& out) {
  DIR* d = ::opendir(p.c_str());
  if (!d) return false;
  errno = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    errno = 0;
  }
  bool complete = errno == 0;
  ::closedir(d);
  return complete;
}

std::vector<std::string> list_dir(const fs::path& p) {
  std::vector<std::string> out;
  (void)read_dir(p, out);
  return out;
}

Status write_small_file(const fs::path& p, std::string_view content, bool sync) {
  fs::path tmp = p;
  tmp += ".tmp";
  // Not O_TRUNC: ext4 flushes a truncated file's data on close (auto_da_alloc).
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("create", tmp.string());
  bool ok = ::write(fd, content.data(), content.size()) == ssize_t(content.size());
  if (ok && sync) ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), p.c_str()) != 0) return sys_error("write", p.string());
  return {};
}

// "<uidvalidity>[ <uidnext>]\n": the UIDNEXT part is a hint written after
// expunges (no fsync), so that a rebuilt index does not hand out again the
// UIDs of expunged messages that were the newest.
std::optional<uint32_t> read_uidvalidity_file(const fs::path& folder, uint32_t* uidnext_hint = nullptr) {
  std::ifstream in(folder / kUidValidityFile);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  size_t sp = line.find(' ');
  auto v = ascii::parse_u64(std::string_view(line).substr(0, sp), UINT32_MAX);
  if (!v || *v == 0) return std::nullopt;
  if (uidnext_hint && sp != std::string::npos)
    *uidnext_hint = uint32_t(ascii::parse_u64(std::string_view(line).substr(sp + 1), UINT32_MAX).value_or(0));
  return uint32_t(*v);
}

void write_uidnext_hint(const fs::path& folder, uint32_t uidvalidity, uint32_t uidnext) {
  (void)write_small_file(folder / kUidValidityFile,
                         std::to_string(uidvalidity) + " " + std::to_string(uidnext) + "\n", false);
}

// Dovecot's dovecot-uidlist: header "3 V<uidvalidity> N<nextuid> ..." (or
// version 1 "1 <uidvalidity> <nextuid>"), then "<uid> [fields] :<filename>"
// (or "<uid> <filename>").
struct UidList {
  uint32_t uidvalidity = 0;
  uint32_t next_uid = 0;
  std::unordered_map<std::string, uint32_t> by_base;
  std::string keywords[26];  // dovecot-keywords: letter 'a' + i -> keyword
};

// Dovecot's dovecot-keywords: "<index> <keyword>" lines; index 0 is letter 'a'.
void read_dovecot_keywords(const fs::path& folder, UidList* out) {
  std::ifstream in(folder / "dovecot-keywords");
  std::string line;
  while (std::getline(in, line)) {
    size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    auto i = ascii::parse_u64(std::string_view(line).substr(0, sp), 25);
    if (i) out->keywords[*i] = line.substr(sp + 1);
  }
}

std::optional<UidList> read_dovecot_uidlist(const fs::path& folder) {
  std::ifstream in(folder / "dovecot-uidlist");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  UidList out;
  int version = line.empty() ? 0 : line[0] - '0';
  size_t pos = 0;
  std::vector<std::string> words;
  while (pos < line.size()) {
    size_t sp = line.find(' ', pos);
    words.push_back(line.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos));
    pos = sp == std::string::npos ? line.size() : sp + 1;
  }
  if (version == 1 && words.size() >= 3) {
    out.uidvalidity = uint32_t(ascii::parse_u64(words[1], UINT32_MAX).value_or(0));
    out.next_uid = uint32_t(ascii::parse_u64(words[2], UINT32_MAX).value_or(0));
  } else {
    for (size_t i = 1; i < words.size(); ++i) {
      if (words[i].size() < 2) continue;
      auto v = ascii::parse_u64(std::string_view(words[i]).substr(1), UINT32_MAX);
      if (!v) continue;
      if (words[i][0] == 'V') out.uidvalidity = uint32_t(*v);
      if (words[i][0] == 'N') out.next_uid = uint32_t(*v);
    }
  }
  while (std::getline(in, line)) {
    size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    auto uid = ascii::parse_u64(std::string_view(line).substr(0, sp), UINT32_MAX);
    if (!uid || *uid == 0) continue;
    size_t colon = line.find(" :", sp);
    std::string file = colon != std::string::npos ? line.substr(colon + 2) : line.substr(sp + 1);
    out.by_base[maildir::parse_file_name(file).base] = uint32_t(*uid);
  }
  return out;
}

// Dovecot's "subscriptions": "V\t2\n\n" then names with '\t' between levels,
// or (older) one name per line with '.' between levels, modified UTF-7.
std::vector<std::string> read_dovecot_subscriptions(const fs::path& maildir) {
  std::vector<std::string> out;
  std::ifstream in(maildir / "subscriptions");
  std::string line;
  bool v2 = false, first = true;
  while (std::getline(in, line)) {
    if (first && line.starts_with("V\t")) {
      v2 = true;
      first = false;
      continue;
    }
    first = false;
    if (line.empty()) continue;
    std::string name;
    char sep = v2 ? '\t' : '.';
    size_t start = 0;
    while (true) {
      size_t p = line.find(sep, start);
      std::string seg = line.substr(start, p == std::string::npos ? std::string::npos : p - start);
      if (!v2) {
        if (auto d = mutf7_decode(seg)) seg = *d;
      }
      if (!name.empty()) name += '/';
      name += seg;
      if (p == std::string::npos) break;
      start = p + 1;
    }
    if (ascii::iequals(name, "INBOX")) name = "INBOX";
    if (maildir::validate_name(name)) out.push_back(name);
  }
  return out;
}

// Writes Dovecot's v2 subscriptions file (so that a rebuilt index, and
// Dovecot itself, keep the subscriptions). Best effort.
void write_dovecot_subscriptions(const fs::path& maildir, const Txn& txn, bool sync) {
  std::string out = "V\t2\n\n";
  Cursor c(txn, txn.dbi().subs);
  for (bool ok = c.first(); ok; ok = c.next()) {
    std::string n(c.key());
    std::replace(n.begin(), n.end(), '/', '\t');
    out += n + "\n";
  }
  (void)write_small_file(maildir / "subscriptions", out, sync);
}

std::vector<std::string> normalize_keywords(std::vector<std::string> kws) {
  std::sort(kws.begin(), kws.end(), [](const std::string& a, const std::string& b) {
    return ascii::lower(a) < ascii::lower(b);
  });
  kws.erase(std::unique(kws.begin(), kws.end(),
                        [](const std::string& a, const std::string& b) { return ascii::iequals(a, b); }),
            kws.end());
  return kws;
}

bool has_keyword(const std::vector<std::string>& kws, const std::string& k) {
  for (const auto& x : kws)
    if (ascii::iequals(x, k)) return true;
  return false;
}

MessageMeta to_meta(uint32_t uid, MessageRecord&& r) {
  MessageMeta m;
  m.uid = uid;
  m.modseq = r.modseq;
  m.size = r.size;
  m.internal_date = r.internal_date;
  m.internal_date_offset = r.date_offset;
  m.flags.system = r.system;
  m.flags.keywords = std::move(r.keywords);
  return m;
}

MessageMeta to_meta(uint32_t uid, const MessageRecord& r) {
  MessageMeta m;
  m.uid = uid;
  m.modseq = r.modseq;
  m.size = r.size;
  m.internal_date = r.internal_date;
  m.internal_date_offset = r.date_offset;
  m.flags.system = r.system;
  m.flags.keywords = r.keywords;
  return m;
}

std::vector<uint32_t> sorted_unique(std::span<const uint32_t> uids) {
  std::vector<uint32_t> v(uids.begin(), uids.end());
  if (std::adjacent_find(v.begin(), v.end(), std::greater_equal<uint32_t>()) == v.end()) return v;  // the usual case
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// ---------------------------------------------------------------------------
// A mailbox being changed inside a write transaction.
struct MbState {
  MailboxId id = 0;
  MailboxRecord rec;
  uint64_t txn_modseq = 0;  // the modseq of this transaction's changes, once taken

  uint64_t modseq() {
    if (txn_modseq == 0) txn_modseq = ++rec.highest_modseq;
    return txn_modseq;
  }
  void count_in(const MessageRecord& m) {
    rec.messages++;
    rec.size += m.size;
    if (!(m.system & kSeen)) rec.unseen++;
    if (m.system & kDeleted) rec.deleted++;
  }
  void count_out(const MessageRecord& m) {
    rec.messages--;
    rec.size -= m.size;
    if (!(m.system & kSeen)) rec.unseen--;
    if (m.system & kDeleted) rec.deleted--;
  }
  // Bitmap chunks (index/uid_bitmap.h) read or changed in this transaction;
  // save_state() writes them.
  std::map<uint32_t, std::string> present, unseen;
};

Result<std::optional<MailboxRecord>> load_mailbox(const Txn& txn, MailboxId id) {
  auto v = txn.get(txn.dbi().mailboxes, index::key_u32(id));
  if (!v) return v.error();
  if (!*v) return std::optional<MailboxRecord>();
  auto rec = index::decode_mailbox(**v);
  if (!rec) return make_error(Errc::internal, "corrupt mailbox record");
  return std::optional<MailboxRecord>(std::move(*rec));
}

Result<MbState> load_state(const Txn& txn, MailboxId id) {
  auto r = load_mailbox(txn, id);
  if (!r) return r.error();
  if (!*r) return make_error(Errc::not_found, "no mailbox " + std::to_string(id));
  MbState s;
  s.id = id;
  s.rec = std::move(**r);
  return s;
}

// --- quota: account-wide usage, kept in `meta` as "usage" (16 bytes: message
// count, bytes) and changed in every transaction that changes a mailbox's
// counters; a missing key (older index, rebuild) is summed from the mailboxes.
struct Usage {
  uint64_t messages = 0;
  uint64_t bytes = 0;
};

Result<std::optional<uint64_t>> meta_u64(const Txn& txn, std::string_view key) {
  auto v = txn.get(txn.dbi().meta, key);
  if (!v) return v.error();
  if (!*v || (*v)->size() != 8) return std::optional<uint64_t>();
  uint64_t x;
  std::memcpy(&x, (*v)->data(), 8);
  return std::optional<uint64_t>(x);
}

Status put_meta_u64(Txn& txn, std::string_view key, uint64_t x) {
  return txn.put(txn.dbi().meta, key, std::string_view(reinterpret_cast<const char*>(&x), 8));
}

Result<Usage> sum_usage(const Txn& txn) {
  Usage u;
  Cursor c(txn, txn.dbi().mailboxes);
  if (!c.ok()) return make_error(Errc::internal, "cursor");
  for (bool ok = c.first(); ok; ok = c.next()) {
    auto r = index::decode_mailbox(c.value());
    if (!r) continue;
    u.messages += r->messages;
    u.bytes += r->size;
  }
  return u;
}

Result<Usage> load_usage(const Txn& txn) {
  auto v = txn.get(txn.dbi().meta, "usage");
  if (!v) return v.error();
  if (!*v || (*v)->size() != 16) return sum_usage(txn);
  Usage u;
  std::memcpy(&u.messages, (*v)->data(), 8);
  std::memcpy(&u.bytes, (*v)->data() + 8, 8);
  return u;
}

Status save_usage(Txn& txn, const Usage& u) {
  char b[16];
  std::memcpy(b, &u.messages, 8);
  std::memcpy(b + 8, &u.bytes, 8);
  return txn.put(txn.dbi().meta, "usage", std::string_view(b, 16));
}

// Adds (messages, bytes) - (old_messages, old_bytes) to the usage, never below 0.
Status adjust_usage(Txn& txn, uint64_t old_messages, uint64_t old_bytes, uint64_t messages, uint64_t bytes) {
  if (old_messages == messages && old_bytes == bytes) return {};
  auto u = load_usage(txn);
  if (!u) return u.error();
  auto apply = [](uint64_t total, uint64_t minus, uint64_t plus) {
    return total >= minus ? total - minus + plus : plus;
  };
  u->messages = apply(u->messages, old_messages, messages);
  u->bytes = apply(u->bytes, old_bytes, bytes);
  return save_usage(txn, *u);
}

// The account's limits: its own ("quota_storage", "quota_messages") or the defaults.
Result<Usage> load_limits(const Txn& txn, const StoreSettings& settings) {
  Usage l{settings.default_message_limit, settings.default_storage_limit};
  auto s = meta_u64(txn, "quota_storage");
  if (!s) return s.error();
  if (*s) l.bytes = **s;
  auto m = meta_u64(txn, "quota_messages");
  if (!m) return m.error();
  if (*m) l.messages = **m;
  return l;
}

// Would adding `add` to `used` go over `limit`?
bool over_limit(const Usage& used, const Usage& add, const Usage& limit) {
  return (limit.messages && used.messages + add.messages > limit.messages) ||
         (limit.bytes && used.bytes + add.bytes > limit.bytes);
}

Status save_state(Txn& txn, const MbState& s) {
  auto old = load_mailbox(txn, s.id);
  if (!old) return old.error();
  uint64_t om = *old ? (*old)->messages : 0, ob = *old ? (*old)->size : 0;
  if (auto st = adjust_usage(txn, om, ob, s.rec.messages, s.rec.size); !st) return st;
  for (auto [db, chunks] : {std::pair{txn.dbi().present, &s.present}, std::pair{txn.dbi().unseen, &s.unseen}})
    for (const auto& [no, bits] : *chunks) {
      std::string key = index::key_u32x2(s.id, no);
      if (auto st = index::chunk_empty(bits) ? txn.del(db, key) : txn.put(db, key, bits); !st) return st;
    }
  return txn.put(txn.dbi().mailboxes, index::key_u32(s.id), index::encode(s.rec));
}

// Sets or clears `uid`'s bit in one of the mailbox's bitmaps (MbState::present
// or ::unseen, stored in `db`).
Status set_bit(const Txn& txn, MDB_dbi db, MbState& mb, std::map<uint32_t, std::string>& chunks, uint32_t uid,
               bool on) {
  uint32_t no = index::chunk_of(uid);
  auto it = chunks.find(no);
  if (it == chunks.end()) {
    auto v = txn.get(db, index::key_u32x2(mb.id, no));
    if (!v) return v.error();
    it = chunks.emplace(no, *v ? std::string(**v) : std::string()).first;
  }
  index::set_uid_bit(it->second, uid, on);
  return {};
}

// Keeps the mailbox's bitmaps and keyword list in step with a message that
// arrived (old == nullptr), changed, or left (m == nullptr).
Status track(const Txn& txn, MbState& mb, uint32_t uid, const MessageRecord* old, const MessageRecord* m) {
  if (!old || !m)
    if (auto s = set_bit(txn, txn.dbi().present, mb, mb.present, uid, m != nullptr); !s) return s;
  bool was_unseen = old && !(old->system & kSeen), unseen = m && !(m->system & kSeen);
  if (!old || !m || was_unseen != unseen)
    if (auto s = set_bit(txn, txn.dbi().unseen, mb, mb.unseen, uid, unseen); !s) return s;
  if (m)
    for (const auto& k : m->keywords)
      if (!has_keyword(mb.rec.keywords, k)) mb.rec.keywords.push_back(k);
  return {};
}

Result<std::optional<MessageRecord>> load_message(const Txn& txn, MailboxId id, uint32_t uid) {
  auto v = txn.get(txn.dbi().msgs, index::key_u32x2(id, uid));
  if (!v) return v.error();
  if (!*v) return std::optional<MessageRecord>();
  auto rec = index::decode_message(**v);
  if (!rec) return make_error(Errc::internal, "corrupt message record");
  return std::optional<MessageRecord>(std::move(*rec));
}

Status insert_message(Txn& txn, MbState& mb, uint32_t uid, MessageRecord& m) {
  m.modseq = mb.modseq();
  mb.count_in(m);
  if (auto s = track(txn, mb, uid, nullptr, &m); !s) return s;
  if (auto s = txn.put(txn.dbi().msgs, index::key_u32x2(mb.id, uid), index::encode(m)); !s) return s;
  return txn.put(txn.dbi().modseq, index::key_modseq(mb.id, m.modseq, uid), std::string_view("\0", 1));
}

Status update_message(Txn& txn, MbState& mb, uint32_t uid, const MessageRecord& old, MessageRecord& m) {
  mb.count_out(old);
  m.modseq = mb.modseq();
  mb.count_in(m);
  if (auto s = track(txn, mb, uid, &old, &m); !s) return s;
  if (auto s = txn.del(txn.dbi().modseq, index::key_modseq(mb.id, old.modseq, uid)); !s) return s;
  if (auto s = txn.put(txn.dbi().msgs, index::key_u32x2(mb.id, uid), index::encode(m)); !s) return s;
  return txn.put(txn.dbi().modseq, index::key_modseq(mb.id, m.modseq, uid), std::string_view("\0", 1));
}

// Stores a message's make_cache entry: the blob and each extra.
Status put_cache(Txn& txn, MailboxId id, uint32_t uid, const CacheEntry& entry) {
  if (entry.blob.empty()) return {};
  if (auto s = txn.put(txn.dbi().cache, index::key_u32x2(id, uid), entry.blob); !s) return s;
  for (const auto& [tag, text] : entry.extras)
    if (auto s = txn.put(txn.dbi().extras, index::key_extra(id, tag, uid), text); !s) return s;
  return {};
}

// The cache entry of (id, uid) as stored (empty blob: none), for COPY and MOVE.
Result<CacheEntry> get_cache(const Txn& txn, MailboxId id, uint32_t uid, std::string_view tags) {
  CacheEntry e;
  auto v = txn.get(txn.dbi().cache, index::key_u32x2(id, uid));
  if (!v) return v.error();
  if (!*v) return e;
  e.blob = std::string(**v);
  for (char tag : tags) {
    auto x = txn.get(txn.dbi().extras, index::key_extra(id, tag, uid));
    if (!x) return x.error();
    if (*x) e.extras.emplace_back(tag, std::string(**x));
  }
  return e;
}

// Takes `uid` out of the index as an expunge (sessions are told, QRESYNC can
// tell). `vanished`: its file is already gone, deleted by another program
// (MaildirAccount::drop_vanished); it is noted in `vanished`, not `expunged`,
// whose entries make a scan delete a file left behind under their UID.
Status remove_message(Txn& txn, MbState& mb, uint32_t uid, const MessageRecord& old, std::string_view tags,
                      bool vanished = false) {
  for (char tag : tags)
    if (auto s = txn.del(txn.dbi().extras, index::key_extra(mb.id, tag, uid)); !s) return s;
  mb.count_out(old);
  uint64_t ms = mb.modseq();
  if (auto s = track(txn, mb, uid, &old, nullptr); !s) return s;
  if (auto s = txn.del(txn.dbi().modseq, index::key_modseq(mb.id, old.modseq, uid)); !s) return s;
  if (auto s = txn.del(txn.dbi().msgs, index::key_u32x2(mb.id, uid)); !s) return s;
  if (auto s = txn.del(txn.dbi().cache, index::key_u32x2(mb.id, uid)); !s) return s;
  if (auto s = txn.del(txn.dbi().lagging, index::key_u32x2(mb.id, uid)); !s) return s;
  if (auto s = txn.put(txn.dbi().modseq, index::key_modseq(mb.id, ms, uid), std::string_view("\1", 1)); !s)
    return s;
  std::string v;
  for (int i = 0; i < 8; ++i) v += char((ms >> (8 * i)) & 0xff);
  return txn.put(vanished ? txn.dbi().vanished : txn.dbi().expunged, index::key_u32x2(mb.id, uid), v);
}

// The flags in the file name of (id, uid): those of the record, unless the
// name lags (see MaildirAccount::store).
Result<uint8_t> name_flags(const Txn& txn, MailboxId id, uint32_t uid, const MessageRecord& m) {
  auto v = txn.get(txn.dbi().lagging, index::key_u32x2(id, uid));
  if (!v) return v.error();
  return (*v && (*v)->size() == 1) ? uint8_t((**v)[0]) : m.system;
}

// Notes that (id, uid)'s flags went from `old` to `now` in the index while its
// file name keeps the letters it has; the renamer catches the name up.
Status lag_name(Txn& txn, MailboxId id, uint32_t uid, const MessageRecord& old, uint8_t now) {
  auto on_disk = name_flags(txn, id, uid, old);
  if (!on_disk) return on_disk.error();
  std::string key = index::key_u32x2(id, uid);
  if (*on_disk == now) return txn.del(txn.dbi().lagging, key);
  char c = char(*on_disk);
  return txn.put(txn.dbi().lagging, key, std::string_view(&c, 1));
}

Result<uint32_t> meta_u32(const Txn& txn, std::string_view key) {
  auto v = txn.get(txn.dbi().meta, key);
  if (!v) return v.error();
  if (!*v || (*v)->size() != 4) return uint32_t(0);
  uint32_t x;
  std::memcpy(&x, (*v)->data(), 4);
  return x;
}

Status put_meta_u32(Txn& txn, std::string_view key, uint32_t x) {
  return txn.put(txn.dbi().meta, key, std::string_view(reinterpret_cast<const char*>(&x), 4));
}

// A new UIDVALIDITY: the current time, bumped past every value this account
// handed out before, so it never repeats.
Result<uint32_t> new_uidvalidity(Txn& txn, uint32_t at_least = 0) {
  auto last = meta_u32(txn, "last_uidvalidity");
  if (!last) return last.error();
  uint32_t v = std::max<uint32_t>({uint32_t(std::time(nullptr)), *last + 1, at_least});
  if (auto s = put_meta_u32(txn, "last_uidvalidity", v); !s) return s.error();
  return v;
}

// Deletes every key of `db` that starts with the 4-byte mailbox id.
Status drop_prefix(Txn& txn, MDB_dbi db, MailboxId id) {
  std::string prefix = index::key_u32(id);
  Cursor c(txn, db);
  if (!c.ok()) return make_error(Errc::internal, "cursor");
  bool more = c.seek(prefix);
  while (more && c.key().starts_with(prefix)) {
    if (!c.del()) return make_error(Errc::internal, "cursor del");
    more = c.next();  // after a delete, MDB_NEXT gives the entry that followed
  }
  return {};
}

// Visits, in one pass, the entries of `db` keyed `prefix` + big-endian UID
// for each of `uids` (ascending): the cursor walks forward to near UIDs and
// seeks to far ones. Calls found(i, value) for each that exists.
template <class Found>
void for_each_uid(const Txn& txn, MDB_dbi db, const std::string& prefix, std::span<const uint32_t> uids,
                  Found&& found) {
  if (uids.empty()) return;
  Cursor c(txn, db);
  auto key = [&](uint32_t uid) { return prefix + index::key_u32(uid); };
  auto uid_here = [&] { return index::get_be32(c.key(), prefix.size()); };
  bool ok = c.seek(key(uids.front()));
  for (size_t i = 0; i < uids.size(); ++i) {
    int steps = 0;
    while (ok && c.key().starts_with(prefix) && c.key().size() == prefix.size() + 4 && uid_here() < uids[i]) {
      if (++steps > 16) {
        ok = c.seek(key(uids[i]));
        break;
      }
      ok = c.next();
    }
    if (!ok || !c.key().starts_with(prefix) || c.key().size() != prefix.size() + 4) return;
    if (uid_here() == uids[i]) found(i, c.value());
  }
}

// ---------------------------------------------------------------------------
class WatchHub {
 public:
  uint64_t add(MailboxId mb, std::function<void()> fn) {
    std::lock_guard lk(mu_);
    uint64_t id = ++next_;
    watchers_[mb][id] = std::make_shared<std::function<void()>>(std::move(fn));
    return id;
  }
  void remove(MailboxId mb, uint64_t id) {
    std::lock_guard lk(mu_);
    auto it = watchers_.find(mb);
    if (it == watchers_.end()) return;
    it->second.erase(id);
    if (it->second.empty()) watchers_.erase(it);
  }
  void notify(const std::set<MailboxId>& mbs) {
    std::vector<std::shared_ptr<std::function<void()>>> fns;
    {
      std::lock_guard lk(mu_);
      for (MailboxId mb : mbs) {
        auto it = watchers_.find(mb);
        if (it == watchers_.end()) continue;
        for (auto& [id, fn] : it->second) fns.push_back(fn);
      }
    }
    for (auto& fn : fns) (*fn)();
  }

 private:
  std::mutex mu_;
  uint64_t next_ = 0;
  std::map<MailboxId, std::map<uint64_t, std::shared_ptr<std::function<void()>>>> watchers_;
};

class WatchImpl : public Account::Watch {
 public:
  WatchImpl(std::weak_ptr<WatchHub> hub, MailboxId mb, uint64_t id) : hub_(std::move(hub)), mb_(mb), id_(id) {}
  ~WatchImpl() override {
    if (auto h = hub_.lock()) h->remove(mb_, id_);
  }

 private:
  std::weak_ptr<WatchHub> hub_;
  MailboxId mb_;
  uint64_t id_;
};

// ---------------------------------------------------------------------------
class FdMessageFile : public MessageFile {
 public:
  FdMessageFile(int fd, uint64_t size) : fd_(fd), size_(size) {}
  ~FdMessageFile() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  int fd() const { return fd_; }
  Result<size_t> read(uint64_t offset, std::span<char> out) override {
    while (true) {
      ssize_t n = ::pread(fd_, out.data(), out.size(), off_t(offset));
      if (n >= 0) return size_t(n);
      if (errno != EINTR) return make_error(Errc::internal, std::string("pread: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
  uint64_t size_;
};

// StoreSettings::make_cache over an open message file, mapped rather than
// read; "" when there is no cache function or the file cannot be read.
CacheEntry cache_of_bytes(const StoreSettings& settings, std::string_view message) {
  return settings.make_cache ? settings.make_cache(message) : CacheEntry{};
}

CacheEntry cache_of_fd(const StoreSettings& settings, int fd) {
  if (!settings.make_cache) return {};
  struct stat st;
  if (::fstat(fd, &st) != 0) return {};
  if (st.st_size == 0) return settings.make_cache({});
  void* map = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) return {};
  CacheEntry out =
      settings.make_cache(std::string_view(static_cast<const char*>(map), size_t(st.st_size)));
  ::munmap(map, size_t(st.st_size));
  return out;
}

CacheEntry cache_of_file(const StoreSettings& settings, const fs::path& path) {
  if (!settings.make_cache) return {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  CacheEntry out = cache_of_fd(settings, fd);
  ::close(fd);
  return out;
}

class MaildirIncoming : public IncomingMessage {
 public:
  MaildirIncoming(const void* owner, fs::path tmp_dir, std::string base, int fd)
      : owner_(owner), path_(tmp_dir / base), base_(std::move(base)), fd_(fd) {}
  ~MaildirIncoming() override {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }
  Status write(std::string_view bytes) override {
    if (fd_ < 0) return make_error(Errc::invalid, "message already finished");
    size_ += bytes.size();
    if (buf_.size() + bytes.size() <= kBuf) {
      buf_.append(bytes);
      return {};
    }
    if (auto s = flush(); !s) return s;
    if (bytes.size() >= kBuf) return write_all(bytes);
    buf_.append(bytes);
    return {};
  }
  uint64_t size() const override { return size_; }
  // The whole message, while none of it has left the buffer yet.
  std::optional<std::string_view> whole() const {
    if (fd_ < 0 || buf_.size() != size_) return std::nullopt;
    return std::string_view(buf_);
  }

  // Makes the file durable (fsync) with its mtime set to the internal date.
  Status finish(int64_t internal_date, bool sync) {
    if (fd_ < 0) return {};
    if (auto s = flush(); !s) return s;
    struct timespec ts[2] = {{internal_date, 0}, {internal_date, 0}};
    ::futimens(fd_, ts);
    if (sync && ::fsync(fd_) != 0) return sys_error("fsync", path_.string());
    ::close(fd_);
    fd_ = -1;
    return {};
  }
  const void* owner() const { return owner_; }
  const fs::path& path() const { return path_; }
  const std::string& base() const { return base_; }
  void release() { released_ = true; }

 private:
  static constexpr size_t kBuf = 64 * 1024;
  Status flush() {
    Status s = write_all(buf_);
    buf_.clear();
    return s;
  }
  Status write_all(std::string_view b) {
    while (!b.empty()) {
      ssize_t n = ::write(fd_, b.data(), b.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return sys_error("write", path_.string());
      }
      b.remove_prefix(size_t(n));
    }
    return {};
  }
  const void* owner_;
  fs::path path_;
  std::string base_;
  int fd_;
  std::string buf_;
  uint64_t size_ = 0;
  bool released_ = false;
};

// ---------------------------------------------------------------------------
struct UserPaths {
  fs::path root, maildir, index;
};

Result<UserPaths> user_paths(const StoreSettings& settings, const std::string& user) {
  size_t at = user.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == user.size())
    return make_error(Errc::invalid, "user is not local@domain");
  std::string local = user.substr(0, at), domain = user.substr(at + 1);
  for (const std::string* part : {&local, &domain}) {
    if (*part == "." || *part == ".." || part->size() > 200) return make_error(Errc::invalid, "bad user name");
    for (char c : *part)
      if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
        return make_error(Errc::invalid, "bad user name");
  }
  UserPaths p;
  p.root = settings.data_dir / domain / local;
  p.maildir = p.root / "Maildir";
  p.index = p.root / "index";
  return p;
}

// Fsyncs directories on a thread of its own, so that a writer overlaps them
// with its index commit. One job at a time: start(), then wait().
class DirSyncer {
 public:
  ~DirSyncer() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void start(std::vector<fs::path> dirs) {
    std::lock_guard lk(mu_);
    job_ = std::move(dirs);
    pending_ = true;
    done_ = false;
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    cv_.notify_all();
  }
  Status wait() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return done_; });
    return result_;
  }

 private:
  void loop() {
    std::unique_lock lk(mu_);
    for (;;) {
      cv_.wait(lk, [&] { return pending_ || stop_; });
      if (stop_) return;
      pending_ = false;
      std::vector<fs::path> dirs = std::move(job_);
      lk.unlock();
      Status st;
      for (const auto& d : dirs)
        if (st = fsync_path(d, true); !st) break;
      lk.lock();
      result_ = std::move(st);
      done_ = true;
      cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<fs::path> job_;
  bool pending_ = false, done_ = true, stop_ = false;
  Status result_;
  std::thread thread_;
};

class MaildirAccount;

// Accounts open in this process, by user directory: one LMDB environment per
// account per process, shared by every Store and the admin functions.
std::mutex g_accounts_mu;
std::map<std::string, std::weak_ptr<MaildirAccount>> g_accounts;

class MaildirAccount : public Account, public std::enable_shared_from_this<MaildirAccount> {
 public:
  MaildirAccount(StoreSettings settings, std::string user, UserPaths paths)
      : settings_(std::move(settings)), user_(std::move(user)), paths_(std::move(paths)),
        hub_(std::make_shared<WatchHub>()) {}

  ~MaildirAccount() override;
  Status open();
  Status rebuild(bool copy_old_aside);
  Result<std::vector<std::string>> check();
  // Renames every file whose flag letters lag the index, now.
  Status settle_names();
  MaildirCounters counters() const {
    MaildirCounters c;
    c.append_batches = append_batches_.load();
    c.appended = appended_.load();
    c.scans = scans_.load();
    c.rebuilds = rebuilds_.load();
    return c;
  }

  Result<std::vector<MailboxInfo>> list() override;
  Result<MailboxId> lookup(std::string_view name) override;
  Result<MailboxId> create(std::string_view name, uint8_t special_use) override;
  Status remove(std::string_view name) override;
  Status rename(std::string_view from, std::string_view to) override;
  Status subscribe(std::string_view name, bool subscribed) override;
  Result<MailboxStatus> status(std::string_view name) override;
  Result<MailboxSnapshot> snapshot(MailboxId mailbox, bool claim_recent) override;
  Result<Changes> changes_since(MailboxId mailbox, uint64_t modseq) override;
  std::optional<Result<MailboxSnapshot>> snapshot_from_index(MailboxId mailbox, bool claim_recent) override;
  std::optional<Result<Changes>> changes_from_index(MailboxId mailbox, uint64_t modseq) override;
  Result<std::vector<MessageMeta>> messages(MailboxId mailbox, std::span<const uint32_t> uids) override;
  Result<std::unique_ptr<IncomingMessage>> begin_message() override;
  Result<AppendResult> append(MailboxId mailbox, std::vector<NewMessage> messages) override;
  Result<CopyResult> copy(MailboxId from, std::span<const uint32_t> uids, MailboxId to, bool move) override;
  Result<std::vector<MessageMeta>> store(MailboxId mailbox, std::span<const uint32_t> uids, FlagOp op,
                                         const Flags& flags, std::optional<uint64_t> unchanged_since,
                                         std::vector<uint32_t>* failed) override;
  Result<std::vector<uint32_t>> expunge(MailboxId mailbox, std::optional<std::span<const uint32_t>> only) override;
  Result<std::unique_ptr<MessageFile>> open_message(MailboxId mailbox, uint32_t uid) override;
  Result<std::vector<std::string>> caches(MailboxId mailbox, std::span<const uint32_t> uids,
                                          const CacheProjection& project = {}) override;
  Result<std::vector<std::optional<std::string>>> cache_extras(MailboxId mailbox, char tag,
                                                               std::span<const uint32_t> uids,
                                                               const CacheProjection& project = {}) override;
  std::unique_ptr<Watch> watch(MailboxId mailbox, std::function<void()> wake) override;
  Result<Quota> quota() override;
  Status set_quota(std::optional<uint64_t> storage_limit, std::optional<uint64_t> messages_limit) override;

 private:
  struct Prepared {
    std::unique_ptr<MaildirIncoming> file;
    uint64_t size = 0;
    int64_t date = 0;
    int16_t offset = 0;
    uint8_t system = 0;
    std::vector<std::string> keywords;
    CacheEntry cache;  // StoreSettings::make_cache of the message
  };
  struct AppendRequest {
    MailboxId mailbox = 0;
    std::vector<Prepared> msgs;
    std::optional<Result<AppendResult>> result;
    bool done = false;
  };

  fs::path folder(const MailboxRecord& r) const { return r.dir.empty() ? paths_.maildir : paths_.maildir / r.dir; }
  fs::path cur_path(const MailboxRecord& r, const std::string& base, uint64_t size, uint32_t uid,
                    uint8_t flags) const {
    return folder(r) / "cur" / maildir::make_file_name(base, size, uid, flags);
  }
  // The file of a message whose name has `flags` (name_flags()), searching
  // the folder if the name is not the expected one.
  Result<fs::path> locate(const MailboxRecord& mb, uint32_t uid, const MessageRecord& m, uint8_t flags) const;
  void repair(const std::string& what) {
    if (settings_.on_repair) settings_.on_repair(user_, what);
  }

  Result<Txn> write_txn() { return Txn::begin(*env_, true); }
  Result<Txn> read_txn() const { return Txn::begin(*env_, false); }

  Status make_folder(const fs::path& dir, uint32_t uidvalidity);
  Result<MailboxId> create_locked(Txn& txn, std::string_view name, uint8_t special_use, bool parents);
  Result<std::optional<MailboxId>> lookup_txn(const Txn& txn, std::string_view name) const;
  Status maybe_sync(MailboxId id);
  bool scanned_as_is(const MailboxRecord& rec) const;
  // nullopt once the UIDs make more than `max_ranges` ranges.
  std::optional<MailboxSnapshot> snapshot_in(const Txn& txn, MailboxId id, const MailboxRecord& rec,
                                             uint32_t first_recent, size_t max_ranges = SIZE_MAX) const;
  Result<std::optional<Changes>> changes_in(const Txn& txn, const MbState& mb, uint64_t modseq, size_t limit) const;
  Status drop_vanished(Txn& txn, MbState& mb, const std::unordered_set<uint32_t>& listed, bool* changed);
  Status scan(Txn& txn, MbState& mb, const UidList* uidlist, bool force, bool* changed,
              const std::unordered_map<std::string, MessageRecord>* old = nullptr, uint32_t min_fresh_uid = 1);
  void run_append_batch(std::vector<AppendRequest*>& batch);
  Status init_new_index(bool fresh_maildir);

  StoreSettings settings_;
  std::string user_;
  UserPaths paths_;
  std::unique_ptr<Env> env_;
  std::shared_ptr<WatchHub> hub_;
  std::mutex write_mu_;  // one writer at a time (plus its post-commit file work)
  DirSyncer dir_syncer_;  // used by the group-commit leader, under write_mu_

  std::mutex q_mu_;  // group commit queue
  std::condition_variable q_cv_;
  std::vector<AppendRequest*> queue_;
  bool leader_ = false;

  std::atomic<uint64_t> append_batches_{0}, appended_{0}, scans_{0}, rebuilds_{0};

  // The renamer: a thread that brings lagging file names up to the index
  // after STORE has answered (see store()). It holds a reference to the
  // account while it works, so the account stays open (and is the one a new
  // session gets) until the names are right; then it ends.
  void wake_renamer();
  void renamer_loop();
  Result<size_t> rename_lagging_locked(size_t limit);  // write_mu_ held
  std::mutex renamer_mu_;
  std::condition_variable renamer_cv_;
  bool renamer_wanted_ = false, renamer_running_ = false;
};

// ---------------------------------------------------------------------------
Status MaildirAccount::make_folder(const fs::path& dir, uint32_t uidvalidity) {
  std::error_code ec;
  for (const char* sub : {"cur", "new", "tmp"}) {
    fs::create_directories(dir / sub, ec);
    if (ec) return make_error(Errc::internal, "mkdir " + (dir / sub).string() + ": " + ec.message());
  }
  if (dir != paths_.maildir) {
    int fd = ::open((dir / "maildirfolder").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  if (!read_uidvalidity_file(dir)) {
    if (auto s = write_small_file(dir / kUidValidityFile, std::to_string(uidvalidity) + "\n", settings_.fsync); !s)
      return s;
  }
  if (settings_.fsync) {
    for (const char* sub : {"cur", "new", "tmp"})
      if (auto s = fsync_path(dir / sub, true); !s) return s;
    if (auto s = fsync_path(dir, true); !s) return s;
    if (auto s = fsync_path(dir.parent_path(), true); !s) return s;
  }
  return {};
}

Status MaildirAccount::open() {
  std::error_code ec;
  bool fresh = !fs::exists(paths_.maildir, ec);
  fs::create_directories(paths_.root, ec);
  if (ec) return make_error(Errc::internal, "mkdir " + paths_.root.string() + ": " + ec.message());
  for (const char* sub : {"cur", "new", "tmp"}) {
    fs::create_directories(paths_.maildir / sub, ec);
    if (ec) return make_error(Errc::internal, "mkdir Maildir: " + ec.message());
  }
  // Leftovers of deletes interrupted by a crash.
  for (const auto& name : [&] {
         std::vector<std::string> v;
         DIR* d = ::opendir(paths_.maildir.c_str());
         if (d) {
           while (struct dirent* e = ::readdir(d))
             if (std::string_view(e->d_name).starts_with(kTrashPrefix)) v.emplace_back(e->d_name);
           ::closedir(d);
         }
         return v;
       }())
    fs::remove_all(paths_.maildir / name, ec);

  // Maildir spec: files left in tmp/ for 36 hours are abandoned deliveries.
  {
    fs::path tmp = paths_.maildir / "tmp";
    time_t cutoff = std::time(nullptr) - 36 * 3600;
    for (auto& n : list_dir(tmp)) {
      struct stat st;
      if (::stat((tmp / n).c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < cutoff &&
          st.st_atime < cutoff)
        ::unlink((tmp / n).c_str());
    }
  }

  auto move_aside = [&](const std::string& why) -> Status {
    env_.reset();
    fs::path aside = paths_.root / ("index.broken-" + std::to_string(std::time(nullptr)));
    for (int i = 1; fs::exists(aside, ec); ++i)
      aside = paths_.root / ("index.broken-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(i));
    fs::rename(paths_.index, aside, ec);
    if (ec) return make_error(Errc::internal, "cannot move the index aside: " + ec.message());
    repair("index unusable (" + why + "): moved to " + aside.filename().string() + ", rebuilding from the Maildir");
    return {};
  };

  bool rebuilt = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    int rc = 0;
    auto env = Env::open(paths_.index, settings_.fsync, &rc);
    if (!env) {
      if (attempt == 0 && (rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_VERSION_MISMATCH ||
                           rc == MDB_PAGE_NOTFOUND || rc == MDB_INCOMPATIBLE)) {
        if (auto s = move_aside(env.error().detail); !s) return s;
        rebuilt = true;
        continue;
      }
      return env.error();
    }
    env_ = std::move(*env);
    // Validate: version, and every mailbox record readable.
    std::string problem;
    uint32_t version = 0;
    {
      auto txn = read_txn();
      if (!txn) return txn.error();
      auto v = meta_u32(*txn, "version");
      if (!v) {
        problem = v.error().detail;
      } else {
        version = *v;
        Cursor c(*txn, txn->dbi().mailboxes);
        for (bool ok = c.first(); ok; ok = c.next())
          if (c.key().size() != 4 || !index::decode_mailbox(c.value())) problem = "bad mailbox record";
      }
    }
    if (problem.empty() && version == 1) {
      // Version 1 lacks the bitmaps and keyword lists; a rebuild makes them
      // and keeps everything the old index knew (UIDs, flags, keywords, ids).
      repair("index version 1: upgrading it to version " + std::to_string(index::kIndexVersion));
      return rebuild(false);
    }
    if (problem.empty() && version != 0 && version != index::kIndexVersion)
      problem = "index version " + std::to_string(version);
    if (!problem.empty()) {
      if (attempt == 0) {
        if (auto s = move_aside(problem); !s) return s;
        rebuilt = true;
        continue;
      }
      return make_error(Errc::internal, "index unusable: " + problem);
    }
    if (version == 0) {
      if (!fresh && !rebuilt) repair("index missing: rebuilding it from the Maildir");
      return init_new_index(fresh && !rebuilt);
    }
    // A folder the index names but the disk lacks: a crash inside a RENAME
    // (folders are renamed before the commit) or another tool's doing. The
    // Maildir is the truth for folders: rebuild from it.
    std::string missing;
    {
      auto txn = read_txn();
      if (!txn) return txn.error();
      Cursor c(*txn, txn->dbi().mailboxes);
      for (bool ok = c.first(); ok; ok = c.next()) {
        auto rec = index::decode_mailbox(c.value());
        if (rec && !fs::is_directory(folder(*rec) / "cur", ec)) missing += " \"" + rec->name + "\"";
      }
    }
    if (!missing.empty()) {
      repair("folders missing on disk for" + missing + ": rebuilding the index from the Maildir");
      return rebuild(true);
    }
    {
      // Renames left by a process that stopped before doing them.
      auto txn = read_txn();
      if (!txn) return txn.error();
      Cursor c(*txn, txn->dbi().lagging);
      if (c.first()) wake_renamer();
    }
    return {};
  }
  return make_error(Errc::internal, "cannot open index");
}

Status MaildirAccount::init_new_index(bool fresh_maildir) {
  if (auto s = rebuild(false); !s) return s;
  if (!fresh_maildir) return {};
  // A brand-new account: the default mailboxes, created and subscribed.
  std::lock_guard lk(write_mu_);
  auto txn = write_txn();
  if (!txn) return txn.error();
  for (const auto& [name, use] : settings_.default_mailboxes) {
    if (!maildir::validate_name(name)) continue;
    auto found = lookup_txn(*txn, name);
    if (!found) return found.error();
    if (!*found) {
      auto id = create_locked(*txn, name, use, true);
      if (!id) return id.error();
    }
    if (auto s = txn->put(txn->dbi().subs, name, {}); !s) return s;
  }
  if (auto s = txn->put(txn->dbi().subs, "INBOX", {}); !s) return s;
  write_dovecot_subscriptions(paths_.maildir, *txn, settings_.fsync);
  return txn->commit();
}

// Rebuilds the index from the Maildir in one write transaction.
Status MaildirAccount::rebuild(bool copy_old_aside) {
  std::lock_guard lk(write_mu_);
  rebuilds_++;
  std::error_code ec;
  // Flags come from the file names below: bring lagging names up first
  // (best effort: this index may be the broken one).
  for (int i = 0; i < 1000; ++i) {
    auto n = rename_lagging_locked(4096);
    if (!n || *n == 0) break;
  }
  if (copy_old_aside) {
    fs::path aside = paths_.root / ("index.old-" + std::to_string(std::time(nullptr)));
    for (int i = 1; fs::exists(aside, ec); ++i)
      aside = paths_.root / ("index.old-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(i));
    fs::create_directories(aside, ec);
    int rc = mdb_env_copy2(env_->env(), aside.c_str(), MDB_CP_COMPACT);
    if (rc != 0) return index::lmdb_error(rc, "copy old index");
  }
  auto txn = write_txn();
  if (!txn) return txn.error();
  const auto& d = txn->dbi();

  // What only the old index knows: keywords, date offsets, special-use, ids.
  std::map<std::string, MailboxRecord> old_boxes;  // by dir
  std::map<std::string, MailboxId> old_ids;         // by dir
  std::map<std::string, std::unordered_map<std::string, MessageRecord>> old_msgs;  // dir -> base -> rec
  {
    std::map<MailboxId, std::string> dir_of;
    Cursor c(*txn, d.mailboxes);
    for (bool ok = c.first(); ok; ok = c.next()) {
      auto r = index::decode_mailbox(c.value());
      if (!r || c.key().size() != 4) continue;
      MailboxId id = index::get_be32(c.key(), 0);
      dir_of[id] = r->dir;
      old_ids[r->dir] = id;
      old_boxes[r->dir] = std::move(*r);
    }
    Cursor m(*txn, d.msgs);
    for (bool ok = m.first(); ok; ok = m.next()) {
      if (m.key().size() != 8) continue;
      auto it = dir_of.find(index::get_be32(m.key(), 0));
      auto r = index::decode_message(m.value());
      if (it == dir_of.end() || !r) continue;
      old_msgs[it->second][r->base] = std::move(*r);
    }
  }
  auto next_id = meta_u32(*txn, "next_id");
  if (!next_id) return next_id.error();
  auto last_uv = meta_u32(*txn, "last_uidvalidity");
  if (!last_uv) return last_uv.error();
  auto quota_storage = meta_u64(*txn, "quota_storage");
  if (!quota_storage) return quota_storage.error();
  auto quota_messages = meta_u64(*txn, "quota_messages");
  if (!quota_messages) return quota_messages.error();
  for (MDB_dbi db : {d.meta, d.mailboxes, d.names, d.msgs, d.present, d.unseen, d.lagging}) {
    int rc = mdb_drop(txn->raw(), db, 0);
    if (rc != 0) return index::lmdb_error(rc, "mdb_drop");
  }
  // Expunge history stays (QRESYNC); the entries of live messages go.
  {
    Cursor c(*txn, d.modseq);
    for (bool ok = c.first(); ok;) {
      if (!c.value().empty() && c.value()[0] == 0) {
        if (!c.del()) return make_error(Errc::internal, "cursor del");
        ok = c.next();  // after a delete, MDB_NEXT gives the entry that followed
      } else {
        ok = c.next();
      }
    }
  }
  if (auto s = put_meta_u32(*txn, "version", index::kIndexVersion); !s) return s;
  if (auto s = put_meta_u32(*txn, "last_uidvalidity", *last_uv); !s) return s;
  if (*quota_storage)
    if (auto s = put_meta_u64(*txn, "quota_storage", **quota_storage); !s) return s;
  if (*quota_messages)
    if (auto s = put_meta_u64(*txn, "quota_messages", **quota_messages); !s) return s;
  uint32_t id_counter = std::max<uint32_t>(*next_id, 1);

  // Folders on disk.
  std::vector<std::pair<std::string, std::string>> folders = {{"INBOX", ""}};  // name, dir
  {
    DIR* dir = ::opendir(paths_.maildir.c_str());
    if (dir) {
      while (struct dirent* e = ::readdir(dir)) {
        std::string_view n = e->d_name;
        if (n.size() < 2 || n[0] != '.' || n == ".." || n.starts_with(kTrashPrefix)) continue;
        if (!fs::is_directory(paths_.maildir / n / "cur", ec)) continue;
        auto name = maildir::name_for_folder(n);
        if (!name || *name == "INBOX") continue;
        folders.emplace_back(*name, std::string(n));
      }
      ::closedir(dir);
    }
  }
  std::set<std::string> seen_names;
  for (auto& [name, dir] : folders) {
    if (!seen_names.insert(name).second) continue;  // two folder spellings of one name
    MbState mb;
    auto oit = old_ids.find(dir);
    mb.id = oit != old_ids.end() ? oit->second : id_counter++;
    id_counter = std::max(id_counter, mb.id + 1);
    mb.rec.name = name;
    mb.rec.dir = dir;
    fs::path fpath = dir.empty() ? paths_.maildir : paths_.maildir / dir;
    auto uidlist = read_dovecot_uidlist(fpath);
    if (fs::exists(fpath / "dovecot-keywords", ec)) {
      if (!uidlist) uidlist.emplace();
      read_dovecot_keywords(fpath, &*uidlist);
    }
    uint32_t uidnext_hint = 0;
    std::optional<uint32_t> uv = read_uidvalidity_file(fpath, &uidnext_hint);
    const MailboxRecord* old = old_boxes.count(dir) ? &old_boxes[dir] : nullptr;
    if (!uv && uidlist && uidlist->uidvalidity) uv = uidlist->uidvalidity;
    if (!uv && old) uv = old->uidvalidity;
    if (!uv) {
      auto v = new_uidvalidity(*txn);
      if (!v) return v.error();
      uv = *v;
    } else if (*uv > *last_uv) {
      *last_uv = *uv;
      if (auto s = put_meta_u32(*txn, "last_uidvalidity", *uv); !s) return s;
    }
    mb.rec.uidvalidity = *uv;
    if (auto s = make_folder(fpath, *uv); !s) return s;
    bool same_instance = old && old->uidvalidity == *uv;
    if (same_instance) {
      mb.rec.highest_modseq = old->highest_modseq;
    } else if (fs::exists(fpath / "cur", ec) && !list_dir(fpath / "cur").empty()) {
      // Modseqs handed out before the index was lost are unknown: start
      // above any plausible one (fewer than 65536 changes a second since
      // 1970) so that they never go backwards for a caching client.
      mb.rec.highest_modseq = uint64_t(std::time(nullptr)) << 16;
    }
    if (old) {
      mb.rec.special_use = old->special_use;
    } else {
      for (const auto& [dn, use] : settings_.default_mailboxes)
        if (dn == name) mb.rec.special_use = use;
    }
    bool changed = false;
    auto oldm = old_msgs.find(dir);
    // Every file with a UID keeps it: uidnext starts at 1 for the scan.
    uint32_t min_fresh = std::max<uint32_t>({uidlist ? uidlist->next_uid : 1u, same_instance ? old->uidnext : 1u,
                                             uidnext_hint, 1u});
    if (auto s = scan(*txn, mb, uidlist ? &*uidlist : nullptr, true, &changed,
                      oldm != old_msgs.end() ? &oldm->second : nullptr, min_fresh);
        !s)
      return s;
    if (uidlist) mb.rec.uidnext = std::max(mb.rec.uidnext, uidlist->next_uid);
    mb.rec.uidnext = std::max(mb.rec.uidnext, uidnext_hint);
    if (same_instance) {
      mb.rec.uidnext = std::max(mb.rec.uidnext, old->uidnext);
      mb.rec.first_recent_uid = std::min(old->first_recent_uid, mb.rec.uidnext);
    }
    if (auto s = save_state(*txn, mb); !s) return s;
    if (auto s = txn->put(d.names, name, index::key_u32(mb.id)); !s) return s;
  }
  if (auto s = put_meta_u32(*txn, "next_id", id_counter); !s) return s;
  // Quota usage: recounted from the rebuilt mailboxes.
  {
    auto u = sum_usage(*txn);
    if (!u) return u.error();
    if (auto s = save_usage(*txn, *u); !s) return s;
  }

  // Subscriptions survive in their own table; a Maildir imported without
  // them takes Dovecot's file, or else subscribes every folder.
  bool any_subs = false;
  {
    Cursor c(*txn, d.subs);
    any_subs = c.first();
  }
  if (!any_subs && folders.size() > 1) {
    auto subs = read_dovecot_subscriptions(paths_.maildir);
    if (subs.empty())
      for (auto& f : folders) subs.push_back(f.first);
    for (auto& s : subs)
      if (auto st = txn->put(d.subs, s, {}); !st) return st;
  }
  return txn->commit();
}

// Picks up files in new/ and cur/ that the index does not know. `force`
// scans even if the directory mtimes did not change. Requires write_mu_.
Status MaildirAccount::scan(Txn& txn, MbState& mb, const UidList* uidlist, bool force, bool* changed,
                            const std::unordered_map<std::string, MessageRecord>* old, uint32_t min_fresh_uid) {
  fs::path dir = folder(mb.rec);
  fs::path cur = dir / "cur", nw = dir / "new";
  int64_t new_before = mtime_ns(nw), cur_before = mtime_ns(cur);
  bool do_cur = force || cur_before != mb.rec.cur_mtime || cur_before <= 0;
  bool do_new = force || new_before != mb.rec.new_mtime || new_before <= 0;
  if (!do_cur && !do_new) return {};
  scans_++;
  struct Found {
    bool in_new;
    std::string name;
    maildir::FileName fn;
    uint32_t uid = 0;  // to adopt; 0 = fresh
  };
  std::vector<Found> found;
  std::set<uint32_t> claimed;
  std::unordered_set<uint32_t> listed;  // indexed messages whose file was listed
  bool renamed_known = false;
  auto consider = [&](bool in_new, std::string name) -> Status {
    maildir::FileName fn = maildir::parse_file_name(name);
    std::optional<uint32_t> uid = fn.uid;
    if (!uid && uidlist) {
      auto it = uidlist->by_base.find(fn.base);
      if (it != uidlist->by_base.end()) uid = it->second;
    }
    Found f{in_new, std::move(name), std::move(fn), 0};
    if (uid) {
      auto rec = load_message(txn, mb.id, *uid);
      if (!rec) return rec.error();
      if (*rec && (*rec)->base == f.fn.base) {
        listed.insert(*uid);
        if (!in_new) {
          // Known. Flags changed in the name by another program (mutt) are
          // taken (see store()); the name is then made canonical.
          const MessageRecord& r = **rec;
          auto nf = name_flags(txn, mb.id, *uid, r);
          if (!nf) return nf.error();
          if (f.fn.flags == *nf && *nf != r.system) return {};  // ours: the renamer's work
          if (f.fn.flags != r.system) {
            if (auto s = txn.del(txn.dbi().lagging, index::key_u32x2(mb.id, *uid)); !s) return s;
            MessageRecord m = r;
            m.system = f.fn.flags;
            if (auto s = update_message(txn, mb, *uid, r, m); !s) return s;
            *changed = true;
          }
          std::string want = maildir::make_file_name(r.base, r.size, *uid, f.fn.flags);
          if (f.name != want && ::rename((cur / f.name).c_str(), (cur / want).c_str()) == 0) renamed_known = true;
          return {};
        }
        // Known but back in new/ (a restore, a tool): return it to cur/.
        std::string want = maildir::make_file_name((*rec)->base, (*rec)->size, *uid, (*rec)->system);
        if (::rename((nw / f.name).c_str(), (cur / want).c_str()) == 0) renamed_known = true;
        return {};
      } else if (!*rec) {
        auto ex = txn.get(txn.dbi().expunged, index::key_u32x2(mb.id, *uid));
        if (!ex) return ex.error();
        if (*ex) {
          // Expunged, but the unlink after the commit did not happen.
          ::unlink(((in_new ? nw : cur) / f.name).c_str());
          *changed = true;
          return {};
        }
        // Taken for deleted by another program, yet here: a fresh UID, even
        // in a rebuild (clients were told this UID is gone).
        auto gone = txn.get(txn.dbi().vanished, index::key_u32x2(mb.id, *uid));
        if (!gone) return gone.error();
        if (!*gone && (*uid >= mb.rec.uidnext || uidlist) && claimed.insert(*uid).second) f.uid = *uid;
      }
    }
    found.push_back(std::move(f));
    return {};
  };
  if (do_cur)
    for (auto& n : list_dir(cur))
      if (auto s = consider(false, std::move(n)); !s) return s;
  if (do_new)
    for (auto& n : list_dir(nw))
      if (auto s = consider(true, std::move(n)); !s) return s;
  if (do_cur)
    if (auto s = drop_vanished(txn, mb, listed, changed); !s) return s;

  // Adopted UIDs first in UID order, then fresh ones in name (time) order.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    if ((a.uid == 0) != (b.uid == 0)) return a.uid != 0;
    if (a.uid != b.uid) return a.uid < b.uid;
    return a.name < b.name;
  });
  bool renamed = renamed_known, moved_from_new = false;
  for (auto& f : found) {
    fs::path from = (f.in_new ? nw : cur) / f.name;
    struct stat st;
    if (::stat(from.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    uint32_t uid = f.uid;
    if (uid == 0) uid = std::max(mb.rec.uidnext, min_fresh_uid);
    mb.rec.uidnext = std::max(mb.rec.uidnext, uid + 1);
    MessageRecord m;
    m.size = uint64_t(st.st_size);
    m.internal_date = st.st_mtim.tv_sec;
    m.system = f.fn.flags;
    if (old) {
      auto it = old->find(f.fn.base);
      if (it != old->end()) {
        m.keywords = it->second.keywords;
        m.date_offset = it->second.date_offset;
        m.internal_date = it->second.internal_date;
        if (!f.fn.uid && !uidlist) m.system = it->second.system;
      }
    }
    if (uidlist && m.keywords.empty()) {
      for (char c : f.fn.keyword_letters)
        if (!uidlist->keywords[c - 'a'].empty()) m.keywords.push_back(uidlist->keywords[c - 'a']);
      m.keywords = normalize_keywords(std::move(m.keywords));
    }
    m.base = f.fn.base;
    std::string target = maildir::make_file_name(m.base, m.size, uid, m.system);
    if (f.in_new || target != f.name) {
      fs::path to = cur / target;
      if (::rename(from.c_str(), to.c_str()) != 0) return sys_error("rename", from.string());
      renamed = true;
      moved_from_new |= f.in_new;
    }
    if (auto s = insert_message(txn, mb, uid, m); !s) return s;
    *changed = true;
  }
  if (renamed) {
    if (auto s = fsync_path(cur, settings_.fsync); !s) return s;
  }
  // After moving files out of new/ its mtime is ours; keeping the value seen
  // before the scan makes the next check look once more (a file dropped
  // while we scanned is then found).
  if (do_new) mb.rec.new_mtime = (moved_from_new || renamed_known) ? 0 : stable_mtime(new_before);
  if (do_cur || renamed) mb.rec.cur_mtime = stable_mtime(mtime_ns(cur));
  return {};
}

// Expunges the messages of `mb` whose file is gone: another program deleted it
// (mutt, a cleanup script), or a crash lost the name of a message that was
// never acknowledged. `listed`: the messages whose file the scan's listing of
// cur/ (and new/) found. A file missed by that listing because it was being
// renamed or moved from new/ meanwhile is looked for once more, new/ first;
// and should one still turn up later under its UID, its `vanished` entry
// makes the scan adopt it with a fresh UID rather than delete it.
Status MaildirAccount::drop_vanished(Txn& txn, MbState& mb, const std::unordered_set<uint32_t>& listed,
                                     bool* changed) {
  if (listed.size() >= mb.rec.messages) return {};
  std::vector<std::pair<uint32_t, MessageRecord>> missing;
  std::string prefix = index::key_u32(mb.id);
  Cursor c(txn, txn.dbi().msgs);
  for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
    uint32_t uid = index::get_be32(c.key(), 4);
    if (listed.contains(uid)) continue;
    auto m = index::decode_message(c.value());
    if (!m) return make_error(Errc::internal, "corrupt message record");
    missing.emplace_back(uid, std::move(*m));
  }
  if (missing.empty()) return {};
  // A directory that cannot be read (EMFILE, EIO) proves nothing.
  std::vector<std::string> names;
  for (const char* sub : {"new", "cur"})
    if (!read_dir(folder(mb.rec) / sub, names)) return {};
  std::unordered_set<std::string> bases;
  for (auto& n : names) bases.insert(maildir::parse_file_name(n).base);
  for (auto& [uid, m] : missing) {
    if (bases.contains(m.base)) continue;
    if (auto s = remove_message(txn, mb, uid, m, settings_.cache_extra_tags, true); !s) return s;
    *changed = true;
    // As EXPUNGE does: a rebuilt index must not hand out the newest UID again.
    if (uid + 1 == mb.rec.uidnext) write_uidnext_hint(folder(mb.rec), mb.rec.uidvalidity, mb.rec.uidnext);
  }
  return {};
}

// Whether `rec`'s directories are as its last scan left them (a stat each):
// then the index alone answers reads.
bool MaildirAccount::scanned_as_is(const MailboxRecord& rec) const {
  fs::path dir = folder(rec);
  int64_t n = mtime_ns(dir / "new"), c = mtime_ns(dir / "cur");
  return n == rec.new_mtime && c == rec.cur_mtime && n > 0 && c > 0;
}

// Scans `id` if its directories changed since the last scan.
Status MaildirAccount::maybe_sync(MailboxId id) {
  MailboxRecord rec;
  {
    auto txn = read_txn();
    if (!txn) return txn.error();
    auto r = load_mailbox(*txn, id);
    if (!r) return r.error();
    if (!*r) return make_error(Errc::not_found, "no such mailbox");
    rec = std::move(**r);
  }
  if (scanned_as_is(rec)) return {};
  bool changed = false;
  {
    std::lock_guard lk(write_mu_);
    auto txn = write_txn();
    if (!txn) return txn.error();
    auto mb = load_state(*txn, id);
    if (!mb) return mb.error();
    MailboxRecord before = mb->rec;
    if (auto s = scan(*txn, *mb, nullptr, false, &changed); !s) return s;
    if (mb->rec.new_mtime != before.new_mtime || mb->rec.cur_mtime != before.cur_mtime || changed) {
      if (auto s = save_state(*txn, *mb); !s) return s;
      if (auto s = txn->commit(); !s) return s;
    }
  }
  if (changed) hub_->notify({id});
  return {};
}

Result<fs::path> MaildirAccount::locate(const MailboxRecord& mb, uint32_t uid, const MessageRecord& m,
                                        uint8_t flags) const {
  fs::path p = cur_path(mb, m.base, m.size, uid, flags);
  if (::access(p.c_str(), F_OK) == 0) return p;
  // The name lags the index (crash during flag renames, another program).
  for (const char* sub : {"cur", "new"}) {
    fs::path dir = folder(mb) / sub;
    for (auto& n : list_dir(dir)) {
      if (n.size() > m.base.size() && n.starts_with(m.base) && (n[m.base.size()] == ',' || n[m.base.size()] == ':'))
        return dir / n;
      if (n == m.base) return dir / n;
    }
  }
  return make_error(Errc::not_found, "message file missing: " + p.string());
}

// --- mailboxes -------------------------------------------------------------

Result<std::optional<MailboxId>> MaildirAccount::lookup_txn(const Txn& txn, std::string_view name) const {
  auto v = txn.get(txn.dbi().names, name);
  if (!v) return v.error();
  if (!*v || (*v)->size() != 4) return std::optional<MailboxId>();
  return std::optional<MailboxId>(index::get_be32(**v, 0));
}

Result<std::vector<MailboxInfo>> MaildirAccount::list() {
  auto txn = read_txn();
  if (!txn) return txn.error();
  std::map<std::string, MailboxInfo> all;
  {
    Cursor c(*txn, txn->dbi().names);
    for (bool ok = c.first(); ok; ok = c.next()) {
      MailboxInfo& i = all[std::string(c.key())];
      i.name = std::string(c.key());
      i.id = index::get_be32(c.value(), 0);
      i.exists = true;
      auto rec = load_mailbox(*txn, i.id);
      if (rec && *rec) i.special_use = (*rec)->special_use;
    }
  }
  {
    Cursor c(*txn, txn->dbi().subs);
    for (bool ok = c.first(); ok; ok = c.next()) {
      std::string n(c.key());
      auto it = all.find(n);
      if (it == all.end()) {
        MailboxInfo i;
        i.name = n;
        i.exists = false;
        i.subscribed = true;
        all.emplace(n, std::move(i));
      } else {
        it->second.subscribed = true;
      }
    }
  }
  std::vector<MailboxInfo> out;
  out.reserve(all.size());
  for (auto& [n, i] : all) {
    if (i.exists) {
      for (size_t p = n.find('/'); p != std::string::npos; p = n.find('/', p + 1)) {
        auto it = all.find(n.substr(0, p));
        if (it != all.end()) it->second.has_children = true;
      }
    }
  }
  for (auto& [n, i] : all) out.push_back(std::move(i));
  return out;
}

Result<MailboxId> MaildirAccount::lookup(std::string_view name) {
  auto txn = read_txn();
  if (!txn) return txn.error();
  auto id = lookup_txn(*txn, name);
  if (!id) return id.error();
  if (!*id) return make_error(Errc::not_found, "no mailbox " + ascii::printable(name));
  return **id;
}

Result<MailboxId> MaildirAccount::create_locked(Txn& txn, std::string_view name, uint8_t special_use, bool parents) {
  if (parents) {
    for (size_t p = name.find('/'); p != std::string_view::npos; p = name.find('/', p + 1)) {
      std::string_view parent = name.substr(0, p);
      auto found = lookup_txn(txn, parent);
      if (!found) return found.error();
      if (!*found) {
        auto id = create_locked(txn, parent, 0, false);
        if (!id) return id.error();
      }
    }
  }
  auto next_id = meta_u32(txn, "next_id");
  if (!next_id) return next_id.error();
  MbState mb;
  mb.id = std::max<uint32_t>(*next_id, 1);
  if (auto s = put_meta_u32(txn, "next_id", mb.id + 1); !s) return s.error();
  mb.rec.name = std::string(name);
  mb.rec.dir = maildir::folder_for_name(name);
  mb.rec.special_use = special_use;
  fs::path dir = folder(mb.rec);
  // A folder left on disk (made by another program): keep its UIDVALIDITY
  // and pick up its files.
  std::optional<uint32_t> uv = read_uidvalidity_file(dir);
  auto v = new_uidvalidity(txn, uv.value_or(0));
  if (!v) return v.error();
  mb.rec.uidvalidity = uv.value_or(*v);
  if (auto s = make_folder(dir, mb.rec.uidvalidity); !s) return s.error();
  bool changed = false;
  if (auto s = scan(txn, mb, nullptr, true, &changed); !s) return s.error();
  if (auto s = save_state(txn, mb); !s) return s.error();
  if (auto s = txn.put(txn.dbi().names, name, index::key_u32(mb.id)); !s) return s.error();
  return mb.id;
}

Result<MailboxId> MaildirAccount::create(std::string_view name, uint8_t special_use) {
  if (auto s = maildir::validate_name(name); !s) return s.error();
  std::lock_guard lk(write_mu_);
  auto txn = write_txn();
  if (!txn) return txn.error();
  auto found = lookup_txn(*txn, name);
  if (!found) return found.error();
  if (*found) return make_error(Errc::already_exists, "mailbox exists");
  auto id = create_locked(*txn, name, special_use, true);
  if (!id) return id;
  if (auto s = txn->commit(); !s) return s.error();
  return id;
}

Status MaildirAccount::remove(std::string_view name) {
  if (name == "INBOX") return make_error(Errc::permission_denied, "INBOX cannot be deleted");
  if (auto s = maildir::validate_name(name); !s) return s;
  MailboxId id;
  fs::path trash;
  {
    std::lock_guard lk(write_mu_);
    auto txn = write_txn();
    if (!txn) return txn.error();
    auto found = lookup_txn(*txn, name);
    if (!found) return found.error();
    if (!*found) return make_error(Errc::not_found, "no such mailbox");
    id = **found;
    auto mb = load_state(*txn, id);
    if (!mb) return mb.error();
    const auto& d = txn->dbi();
    for (MDB_dbi db : {d.msgs, d.modseq, d.expunged, d.vanished, d.cache, d.present, d.unseen, d.extras})
      if (auto s = drop_prefix(*txn, db, id); !s) return s;
    if (auto s = adjust_usage(*txn, mb->rec.messages, mb->rec.size, 0, 0); !s) return s;
    if (auto s = txn->del(d.mailboxes, index::key_u32(id)); !s) return s;
    if (auto s = txn->del(d.names, name); !s) return s;
    fs::path dir = folder(mb->rec);
    trash = paths_.maildir / (kTrashPrefix + std::to_string(id) + "-" + std::to_string(std::time(nullptr)));
    if (::rename(dir.c_str(), trash.c_str()) != 0 && errno != ENOENT) return sys_error("rename", dir.string());
    if (auto s = txn->commit(); !s) {
      ::rename(trash.c_str(), dir.c_str());
      return s;
    }
  }
  std::error_code ec;
  fs::remove_all(trash, ec);
  hub_->notify({id});
  return {};
}

Status MaildirAccount::rename(std::string_view from, std::string_view to) {
  if (auto s = maildir::validate_name(from); !s) return s;
  if (auto s = maildir::validate_name(to); !s) return s;
  if (to == "INBOX") return make_error(Errc::already_exists, "INBOX exists");
  if (to.starts_with(std::string(from) + "/")) return make_error(Errc::invalid, "cannot rename a mailbox into itself");
  std::set<MailboxId> touched;
  {
    std::lock_guard lk(write_mu_);
    auto txn = write_txn();
    if (!txn) return txn.error();
    const auto& d = txn->dbi();
    auto src = lookup_txn(*txn, from);
    if (!src) return src.error();
    if (!*src) return make_error(Errc::not_found, "no such mailbox");
    auto dst = lookup_txn(*txn, to);
    if (!dst) return dst.error();
    if (*dst) return make_error(Errc::already_exists, "target exists");

    if (from == "INBOX") {
      // RFC 9051 §6.3.6: the messages move to a new mailbox; INBOX stays, empty.
      auto nid = create_locked(*txn, to, 0, true);
      if (!nid) return nid.error();
      auto inbox = load_state(*txn, **src);
      auto nb = load_state(*txn, *nid);
      if (!inbox) return inbox.error();
      if (!nb) return nb.error();
      std::vector<std::pair<uint32_t, MessageRecord>> msgs;
      {
        Cursor c(*txn, d.msgs);
        std::string prefix = index::key_u32(inbox->id);
        for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
          auto r = index::decode_message(c.value());
          if (r) msgs.emplace_back(index::get_be32(c.key(), 4), std::move(*r));
        }
      }
      std::vector<std::pair<fs::path, fs::path>> done;
      auto undo = [&] {
        for (auto& [a, b] : done) ::rename(b.c_str(), a.c_str());
      };
      for (auto& [uid, m] : msgs) {
        auto nf = name_flags(*txn, inbox->id, uid, m);
        if (!nf) return undo(), nf.error();
        auto p = locate(inbox->rec, uid, m, *nf);
        if (!p) continue;
        fs::path target = cur_path(nb->rec, m.base, m.size, uid, m.system);
        if (::rename(p->c_str(), target.c_str()) != 0) {
          undo();
          return sys_error("rename", p->string());
        }
        done.emplace_back(*p, target);
        MessageRecord copy = m;
        if (auto s = insert_message(*txn, *nb, uid, copy); !s) return undo(), s;
        auto entry = get_cache(*txn, inbox->id, uid, settings_.cache_extra_tags);
        if (!entry) return undo(), entry.error();
        if (auto s = put_cache(*txn, nb->id, uid, *entry); !s) return undo(), s;
        if (auto s = remove_message(*txn, *inbox, uid, m, settings_.cache_extra_tags); !s) return undo(), s;
      }
      nb->rec.uidnext = std::max(nb->rec.uidnext, inbox->rec.uidnext);
      nb->rec.first_recent_uid = inbox->rec.first_recent_uid;
      if (auto s = fsync_path(folder(nb->rec) / "cur", settings_.fsync); !s) return undo(), s;
      if (auto s = save_state(*txn, *inbox); !s) return undo(), s;
      if (auto s = save_state(*txn, *nb); !s) return undo(), s;
      if (auto s = txn->commit(); !s) return undo(), s;
      write_uidnext_hint(folder(inbox->rec), inbox->rec.uidvalidity, inbox->rec.uidnext);
      touched = {inbox->id, nb->id};
    } else {
      // The mailbox and its children, each its own folder directory.
      std::vector<std::pair<std::string, MailboxId>> moving;
      std::string prefix = std::string(from) + "/";
      moving.emplace_back(std::string(from), **src);
      {
        Cursor c(*txn, d.names);
        for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next())
          moving.emplace_back(std::string(c.key()), index::get_be32(c.value(), 0));
      }
      // Missing parents of the new name.
      for (size_t p = to.find('/'); p != std::string_view::npos; p = to.find('/', p + 1)) {
        auto found = lookup_txn(*txn, to.substr(0, p));
        if (!found) return found.error();
        if (!*found) {
          auto id = create_locked(*txn, to.substr(0, p), 0, false);
          if (!id) return id.error();
        }
      }
      std::vector<std::pair<fs::path, fs::path>> done;
      auto undo = [&] {
        for (auto it = done.rbegin(); it != done.rend(); ++it) ::rename(it->second.c_str(), it->first.c_str());
      };
      for (auto& [old_name, id] : moving) {
        std::string new_name = std::string(to) + old_name.substr(from.size());
        if (auto s = maildir::validate_name(new_name); !s) return undo(), s;
        auto exists = lookup_txn(*txn, new_name);
        if (!exists) return undo(), exists.error();
        if (*exists) return undo(), make_error(Errc::already_exists, "target exists");
        auto mb = load_state(*txn, id);
        if (!mb) return undo(), mb.error();
        fs::path old_dir = folder(mb->rec);
        mb->rec.name = new_name;
        mb->rec.dir = maildir::folder_for_name(new_name);
        fs::path new_dir = folder(mb->rec);
        if (::access(new_dir.c_str(), F_OK) == 0) return undo(), make_error(Errc::already_exists, "folder exists on disk");
        if (::rename(old_dir.c_str(), new_dir.c_str()) != 0) return undo(), sys_error("rename", old_dir.string());
        done.emplace_back(old_dir, new_dir);
        if (auto s = save_state(*txn, *mb); !s) return undo(), s;
        if (auto s = txn->del(d.names, old_name); !s) return undo(), s;
        if (auto s = txn->put(d.names, new_name, index::key_u32(id)); !s) return undo(), s;
        touched.insert(id);
      }
      if (auto s = fsync_path(paths_.maildir, settings_.fsync); !s) return undo(), s;
      if (auto s = txn->commit(); !s) return undo(), s;
    }
  }
  hub_->notify(touched);
  return {};
}

Status MaildirAccount::subscribe(std::string_view name, bool subscribed) {
  if (auto s = maildir::validate_name(name); !s) return s;
  std::lock_guard lk(write_mu_);
  auto txn = write_txn();
  if (!txn) return txn.error();
  Status s = subscribed ? txn->put(txn->dbi().subs, name, {}) : txn->del(txn->dbi().subs, name);
  if (!s) return s;
  write_dovecot_subscriptions(paths_.maildir, *txn, settings_.fsync);
  return txn->commit();
}

Result<MailboxStatus> MaildirAccount::status(std::string_view name) {
  auto id = lookup(name);
  if (!id) return id.error();
  if (auto s = maybe_sync(*id); !s) return s.error();
  auto txn = read_txn();
  if (!txn) return txn.error();
  auto mb = load_state(*txn, *id);
  if (!mb) return mb.error();
  MailboxStatus st;
  st.messages = mb->rec.messages;
  st.unseen = mb->rec.unseen;
  st.deleted = mb->rec.deleted;
  st.uidnext = mb->rec.uidnext;
  st.uidvalidity = mb->rec.uidvalidity;
  st.size = mb->rec.size;
  st.highest_modseq = mb->rec.highest_modseq;
  // \Recent: the UIDs >= first_recent_uid, counted in the bitmap.
  std::vector<UidRange> ranges;
  std::string prefix = index::key_u32(*id);
  Cursor c(*txn, txn->dbi().present);
  for (bool ok = c.seek(index::key_u32x2(*id, index::chunk_of(mb->rec.first_recent_uid)));
       ok && c.key().starts_with(prefix); ok = c.next())
    index::append_chunk_ranges(c.value(), index::get_be32(c.key(), 4), ranges);
  for (const auto& r : ranges)
    if (r.last >= mb->rec.first_recent_uid) st.recent += r.last - std::max(r.first, mb->rec.first_recent_uid) + 1;
  return st;
}

// --- messages --------------------------------------------------------------

std::optional<MailboxSnapshot> MaildirAccount::snapshot_in(const Txn& txn, MailboxId id, const MailboxRecord& rec,
                                                           uint32_t first_recent, size_t max_ranges) const {
  MailboxSnapshot snap;
  snap.id = id;
  snap.uidvalidity = rec.uidvalidity;
  snap.uidnext = rec.uidnext;
  snap.highest_modseq = rec.highest_modseq;
  snap.first_recent_uid = first_recent;
  snap.keywords = rec.keywords;
  // From the bitmaps: a few dozen reads for 100,000 messages.
  std::string prefix = index::key_u32(id);
  Cursor c(txn, txn.dbi().present);
  for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
    index::append_chunk_ranges(c.value(), index::get_be32(c.key(), 4), snap.uid_ranges);
    if (snap.uid_ranges.size() > max_ranges) return std::nullopt;
  }
  Cursor u(txn, txn.dbi().unseen);
  for (bool ok = u.seek(prefix); ok && u.key().starts_with(prefix) && !snap.first_unseen_uid; ok = u.next())
    snap.first_unseen_uid = index::first_chunk_uid(u.value(), index::get_be32(u.key(), 4)).value_or(0);
  return snap;
}

Result<MailboxSnapshot> MaildirAccount::snapshot(MailboxId id, bool claim_recent) {
  if (auto s = maybe_sync(id); !s) return s.error();
  if (claim_recent) {
    {
      // Nothing new since the last claim (the usual SELECT): no write lock.
      auto txn = read_txn();
      if (!txn) return txn.error();
      auto mb = load_state(*txn, id);
      if (!mb) return mb.error();
      if (mb->rec.first_recent_uid == mb->rec.uidnext)
        return *snapshot_in(*txn, id, mb->rec, mb->rec.first_recent_uid);
    }
    std::lock_guard lk(write_mu_);
    auto txn = write_txn();
    if (!txn) return txn.error();
    auto mb = load_state(*txn, id);
    if (!mb) return mb.error();
    uint32_t old = mb->rec.first_recent_uid;
    MailboxSnapshot snap = *snapshot_in(*txn, id, mb->rec, old);
    if (old != mb->rec.uidnext) {
      mb->rec.first_recent_uid = mb->rec.uidnext;
      if (auto s = save_state(*txn, *mb); !s) return s.error();
      if (auto s = txn->commit(); !s) return s.error();
    }
    return snap;
  }
  auto txn = read_txn();
  if (!txn) return txn.error();
  auto mb = load_state(*txn, id);
  if (!mb) return mb.error();
  return *snapshot_in(*txn, id, mb->rec, mb->rec.first_recent_uid);
}

std::optional<Result<MailboxSnapshot>> MaildirAccount::snapshot_from_index(MailboxId id, bool claim_recent) {
  auto txn = read_txn();
  if (!txn) return std::nullopt;
  auto mb = load_state(*txn, id);
  if (!mb || !scanned_as_is(mb->rec)) return std::nullopt;
  // Claiming \Recent for new messages is a write.
  if (claim_recent && mb->rec.first_recent_uid != mb->rec.uidnext) return std::nullopt;
  // A mailbox whose UIDs are scattered into many ranges (a million messages,
  // half expunged) costs milliseconds to describe: not on the event loop.
  constexpr size_t kMaxRangesOnLoop = 4096;
  auto snap = snapshot_in(*txn, id, mb->rec, mb->rec.first_recent_uid, kMaxRangesOnLoop);
  if (!snap) return std::nullopt;
  return std::move(*snap);
}

// The changes to `mb` after `modseq`; nullopt if there are more than `limit`.
Result<std::optional<Changes>> MaildirAccount::changes_in(const Txn& txn, const MbState& mb, uint64_t modseq,
                                                          size_t limit) const {
  Changes ch;
  ch.uidvalidity = mb.rec.uidvalidity;
  ch.uidnext = mb.rec.uidnext;
  ch.highest_modseq = mb.rec.highest_modseq;
  Cursor c(txn, txn.dbi().modseq);
  std::string prefix = index::key_u32(mb.id);
  size_t seen = 0;
  for (bool ok = c.seek(index::key_modseq(mb.id, modseq + 1, 0)); ok && c.key().starts_with(prefix); ok = c.next()) {
    if (c.key().size() != 16 || c.value().empty()) continue;
    if (++seen > limit) return std::optional<Changes>();
    uint32_t uid = index::get_be32(c.key(), 12);
    if (c.value()[0] == 1) {
      ch.expunged.push_back(uid);
    } else {
      auto v = txn.get(txn.dbi().msgs, index::key_u32x2(mb.id, uid));
      if (!v) return v.error();
      if (!*v) continue;
      auto r = index::decode_message_flags(**v);
      if (!r) return make_error(Errc::internal, "corrupt message record");
      ch.updated.push_back(to_meta(uid, std::move(*r)));
    }
  }
  std::sort(ch.updated.begin(), ch.updated.end(), [](const MessageMeta& a, const MessageMeta& b) { return a.uid < b.uid; });
  std::sort(ch.expunged.begin(), ch.expunged.end());
  return std::optional<Changes>(std::move(ch));
}

Result<Changes> MaildirAccount::changes_since(MailboxId id, uint64_t modseq) {
  if (auto s = maybe_sync(id); !s) return s.error();
  auto txn = read_txn();
  if (!txn) return txn.error();
  auto mb = load_state(*txn, id);
  if (!mb) return mb.error();
  auto ch = changes_in(*txn, *mb, modseq, SIZE_MAX);
  if (!ch) return ch.error();
  return std::move(**ch);
}

std::optional<Result<Changes>> MaildirAccount::changes_from_index(MailboxId id, uint64_t modseq) {
  // A few hundred changes take well under a millisecond to read; more (a
  // STORE 1:* by another session) go to the pool.
  constexpr size_t kLimit = 512;
  auto txn = read_txn();
  if (!txn) return std::nullopt;
  auto mb = load_state(*txn, id);
  if (!mb || !scanned_as_is(mb->rec)) return std::nullopt;
  auto ch = changes_in(*txn, *mb, modseq, kLimit);
  if (!ch) return ch.error();
  if (!*ch) return std::nullopt;
  return std::move(**ch);
}

Result<std::vector<MessageMeta>> MaildirAccount::messages(MailboxId id, std::span<const uint32_t> uids_in) {
  auto uids = sorted_unique(uids_in);
  auto txn = read_txn();
  if (!txn) return txn.error();
  auto mb = load_mailbox(*txn, id);
  if (!mb) return mb.error();
  if (!*mb) return make_error(Errc::not_found, "no such mailbox");
  std::vector<MessageMeta> out;
  out.reserve(uids.size());
  for_each_uid(*txn, txn->dbi().msgs, index::key_u32(id), uids, [&](size_t i, std::string_view value) {
    if (auto r = index::decode_message_flags(value)) out.push_back(to_meta(uids[i], std::move(*r)));
  });
  return out;
}

Result<std::unique_ptr<IncomingMessage>> MaildirAccount::begin_message() {
  std::string base = maildir::make_unique_name();
  fs::path tmp = paths_.maildir / "tmp";
  int fd = ::open((tmp / base).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("create", (tmp / base).string());
  return std::unique_ptr<IncomingMessage>(std::make_unique<MaildirIncoming>(this, tmp, base, fd));
}

Result<AppendResult> MaildirAccount::append(MailboxId mailbox, std::vector<NewMessage> messages) {
  if (messages.empty()) return make_error(Errc::invalid, "nothing to append");
  AppendRequest req;
  req.mailbox = mailbox;
  // Each file is made durable by its own caller, in parallel; the index
  // commit and the directory fsync are shared (group commit below).
  for (auto& m : messages) {
    auto* in = dynamic_cast<MaildirIncoming*>(m.body.get());
    if (!in || in->owner() != this) return make_error(Errc::invalid, "message not from this account");
    Prepared p;
    p.date = m.internal_date.value_or(std::time(nullptr));
    p.offset = int16_t(m.internal_date_offset);
    // Parsed here, by each caller in parallel, not by the group-commit leader;
    // from memory when the message is small enough never to have left it.
    std::optional<std::string_view> whole = in->whole();
    if (whole) p.cache = cache_of_bytes(settings_, *whole);
    if (auto s = in->finish(p.date, settings_.fsync); !s) return s.error();
    p.size = in->size();
    if (!whole) p.cache = cache_of_file(settings_, in->path());
    p.system = m.flags.system & (kSeen | kAnswered | kFlagged | kDeleted | kDraft);
    p.keywords = normalize_keywords(m.flags.keywords);
    m.body.release();
    p.file.reset(in);
    req.msgs.push_back(std::move(p));
  }
  std::unique_lock lk(q_mu_);
  queue_.push_back(&req);
  while (!req.done) {
    if (!leader_) {
      leader_ = true;
      std::vector<AppendRequest*> batch;
      batch.swap(queue_);
      lk.unlock();
      run_append_batch(batch);
      lk.lock();
      for (auto* r : batch) r->done = true;
      leader_ = false;
      q_cv_.notify_all();
    } else {
      q_cv_.wait(lk);
    }
  }
  return std::move(*req.result);
}

void MaildirAccount::run_append_batch(std::vector<AppendRequest*>& batch) {
  std::set<MailboxId> touched;
  {
    std::lock_guard lk(write_mu_);
    append_batches_++;
    auto fail_all = [&](const Error& e) {
      for (auto* r : batch)
        if (!r->result || r->result->ok()) r->result = e;
    };
    auto txn = write_txn();
    if (!txn) return fail_all(txn.error());
    // Quota: usage as of this transaction plus what earlier requests of the
    // batch added; each request is checked alone.
    auto limits = load_limits(*txn, settings_);
    if (!limits) return fail_all(limits.error());
    Usage used, added;
    if (limits->messages || limits->bytes) {
      auto u = load_usage(*txn);
      if (!u) return fail_all(u.error());
      used = *u;
    }
    std::map<MailboxId, MbState> boxes;
    std::map<MailboxId, bool> cur_clean;
    std::vector<std::pair<fs::path, fs::path>> placed;  // tmp -> cur, of requests that succeeded
    std::set<fs::path> dirs;
    for (auto* req : batch) {
      auto it = boxes.find(req->mailbox);
      if (it == boxes.end()) {
        auto mb = load_state(*txn, req->mailbox);
        if (!mb) {
          req->result = mb.error();
          continue;
        }
        // Was cur/ unchanged since our last look? Then our own renames do not
        // make the next snapshot rescan it.
        int64_t m = mtime_ns(folder(mb->rec) / "cur");
        cur_clean[req->mailbox] = m > 0 && m == mb->rec.cur_mtime;
        it = boxes.emplace(req->mailbox, std::move(*mb)).first;
      }
      MbState& mb = it->second;
      Usage mine_add{req->msgs.size(), 0};
      for (auto& p : req->msgs) mine_add.bytes += p.size;
      Usage so_far{used.messages + added.messages, used.bytes + added.bytes};
      if (over_limit(so_far, mine_add, *limits)) {
        req->result = make_error(Errc::over_quota, "quota exceeded");
        continue;
      }
      MbState saved = mb;
      auto nested = Txn::begin(*env_, true, txn->raw());
      if (!nested) {
        req->result = nested.error();
        continue;
      }
      AppendResult res;
      res.uidvalidity = mb.rec.uidvalidity;
      std::vector<std::pair<fs::path, fs::path>> mine;
      Status st;
      for (auto& p : req->msgs) {
        uint32_t uid = mb.rec.uidnext++;
        fs::path target = cur_path(mb.rec, p.file->base(), p.size, uid, p.system);
        if (::rename(p.file->path().c_str(), target.c_str()) != 0) {
          st = sys_error("rename", target.string());
          break;
        }
        mine.emplace_back(p.file->path(), target);
        MessageRecord m;
        m.size = p.size;
        m.internal_date = p.date;
        m.date_offset = p.offset;
        m.system = p.system;
        m.base = p.file->base();
        m.keywords = p.keywords;
        if (st = insert_message(*nested, mb, uid, m); !st) break;
        if (st = put_cache(*nested, mb.id, uid, p.cache); !st) break;
        res.uids.push_back(uid);
      }
      if (!st) {
        for (auto& [a, b] : mine) ::rename(b.c_str(), a.c_str());
        nested->abort();
        mb = saved;
        req->result = st.error();
        continue;
      }
      if (auto s = nested->commit(); !s) {
        for (auto& [a, b] : mine) ::rename(b.c_str(), a.c_str());
        mb = saved;
        req->result = s.error();
        continue;
      }
      placed.insert(placed.end(), mine.begin(), mine.end());
      added.messages += mine_add.messages;
      added.bytes += mine_add.bytes;
      dirs.insert(folder(mb.rec) / "cur");
      req->result = std::move(res);
    }
    // The new names in cur/ and the index commit must both be on disk before
    // anyone is answered, and neither needs the other first: the directories
    // are fsynced on the syncer's thread while this one commits.
    if (settings_.fsync) dir_syncer_.start(std::vector<fs::path>(dirs.begin(), dirs.end()));
    Status st;
    for (auto& [id, mb] : boxes) {
      if (cur_clean[id]) mb.rec.cur_mtime = mtime_ns(folder(mb.rec) / "cur");
      if (st = save_state(*txn, mb); !st) break;
    }
    if (st) st = txn->commit();
    Status synced = settings_.fsync ? dir_syncer_.wait() : Status{};
    if (!st) {
      // Not acknowledged: take the files back out of cur/ (their tmp names
      // are removed when the IncomingMessages are destroyed).
      for (auto& [a, b] : placed) ::rename(b.c_str(), a.c_str());
      return fail_all(st.error());
    }
    // Committed, but a directory could not be made durable (a failing
    // disk): nobody is told OK, and the messages stay; a client that tries
    // again gets a second copy rather than none.
    std::vector<AppendRequest*> committed;
    for (auto* req : batch)
      if (req->result && req->result->ok()) committed.push_back(req);
    if (!synced) fail_all(synced.error());
    for (auto* req : committed) {
      for (auto& p : req->msgs) p.file->release();
      appended_ += req->msgs.size();
      touched.insert(req->mailbox);
    }
  }
  hub_->notify(touched);
}

Result<CopyResult> MaildirAccount::copy(MailboxId from, std::span<const uint32_t> uids_in, MailboxId to, bool move) {
  auto uids = sorted_unique(uids_in);
  CopyResult res;
  std::vector<fs::path> to_unlink;
  {
    std::lock_guard lk(write_mu_);
    auto txn = write_txn();
    if (!txn) return txn.error();
    auto src_state = load_state(*txn, from);
    if (!src_state) return src_state.error();
    std::optional<MbState> dst_state;
    if (to != from) {
      auto d = load_state(*txn, to);
      if (!d) return d.error();
      dst_state = std::move(*d);
    }
    MbState& src = *src_state;
    MbState& dst = dst_state ? *dst_state : src;
    res.uidvalidity = dst.rec.uidvalidity;
    std::vector<fs::path> created;
    Usage copied;
    auto undo = [&] {
      for (auto& p : created) ::unlink(p.c_str());
    };
    fs::path tmpdir = paths_.maildir / "tmp";
    for (uint32_t uid : uids) {
      auto r = load_message(*txn, from, uid);
      if (!r) return undo(), r.error();
      if (!*r) continue;
      MessageRecord m = std::move(**r);
      auto nf = name_flags(*txn, from, uid, m);
      if (!nf) return undo(), nf.error();
      auto path = locate(src.rec, uid, m, *nf);
      if (!path) continue;  // file gone: nothing to copy
      std::string base = maildir::make_unique_name();
      fs::path tmp = tmpdir / base;
      if (::link(path->c_str(), tmp.c_str()) != 0) {
        std::error_code ec;
        if (!fs::copy_file(*path, tmp, ec)) return undo(), make_error(Errc::internal, "copy: " + ec.message());
        if (auto s = fsync_path(tmp, settings_.fsync); !s) return undo(), s.error();
      }
      uint32_t nuid = dst.rec.uidnext++;
      fs::path target = cur_path(dst.rec, base, m.size, nuid, m.system);
      if (::rename(tmp.c_str(), target.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return undo(), sys_error("rename", target.string());
      }
      created.push_back(target);
      copied.messages++;
      copied.bytes += m.size;
      MessageRecord nm = m;
      nm.base = base;
      if (auto s = insert_message(*txn, dst, nuid, nm); !s) return undo(), s.error();
      // The copy is the same message: its cache goes with it.
      auto entry = get_cache(*txn, from, uid, settings_.cache_extra_tags);
      if (!entry) return undo(), entry.error();
      if (auto s = put_cache(*txn, to, nuid, *entry); !s) return undo(), s.error();
      if (move) {
        if (auto s = remove_message(*txn, src, uid, m, settings_.cache_extra_tags); !s) return undo(), s.error();
        to_unlink.push_back(*path);
      }
      res.source_uids.push_back(uid);
      res.dest_uids.push_back(nuid);
    }
    if (res.source_uids.empty()) return res;
    if (!move) {  // a MOVE within the account leaves the usage as it is
      auto limits = load_limits(*txn, settings_);
      if (!limits) return undo(), limits.error();
      if (limits->messages || limits->bytes) {
        auto used = load_usage(*txn);  // as of before this copy: saved below
        if (!used) return undo(), used.error();
        if (over_limit(*used, copied, *limits)) return undo(), make_error(Errc::over_quota, "quota exceeded");
      }
    }
    if (auto s = fsync_path(folder(dst.rec) / "cur", settings_.fsync); !s) return undo(), s.error();
    if (auto s = save_state(*txn, src); !s) return undo(), s.error();
    if (dst_state)
      if (auto s = save_state(*txn, dst); !s) return undo(), s.error();
    if (auto s = txn->commit(); !s) return undo(), s.error();
    if (move && res.source_uids.back() + 1 == src.rec.uidnext)
      write_uidnext_hint(folder(src.rec), src.rec.uidvalidity, src.rec.uidnext);
    for (auto& p : to_unlink) ::unlink(p.c_str());
  }
  hub_->notify(move ? std::set<MailboxId>{from, to} : std::set<MailboxId>{to});
  return res;
}

Result<std::vector<MessageMeta>> MaildirAccount::store(MailboxId id, std::span<const uint32_t> uids_in, FlagOp op,
                                                       const Flags& flags, std::optional<uint64_t> unchanged_since,
                                                       std::vector<uint32_t>* failed) {
  auto uids = sorted_unique(uids_in);
  std::vector<MessageMeta> out;
  auto kws = normalize_keywords(flags.keywords);
  uint8_t sys = flags.system & (kSeen | kAnswered | kFlagged | kDeleted | kDraft);
  {
    std::lock_guard lk(write_mu_);
    auto txn = write_txn();
    if (!txn) return txn.error();
    auto mb = load_state(*txn, id);
    if (!mb) return mb.error();
    bool lagged = false;
    for (uint32_t uid : uids) {
      auto r = load_message(*txn, id, uid);
      if (!r) return r.error();
      if (!*r) continue;
      const MessageRecord& old = **r;
      if (unchanged_since && old.modseq > *unchanged_since) {
        if (failed) failed->push_back(uid);
        continue;
      }
      MessageRecord m = old;
      switch (op) {
        case FlagOp::replace:
          m.system = sys;
          m.keywords = kws;
          break;
        case FlagOp::add:
          m.system |= sys;
          for (auto& k : kws)
            if (!has_keyword(m.keywords, k)) m.keywords.push_back(k);
          m.keywords = normalize_keywords(std::move(m.keywords));
          break;
        case FlagOp::remove:
          m.system &= uint8_t(~sys);
          std::erase_if(m.keywords, [&](const std::string& k) { return has_keyword(kws, k); });
          break;
      }
      if (m.system == old.system && m.keywords == old.keywords) continue;
      if (auto s = update_message(*txn, *mb, uid, old, m); !s) return s.error();
      if (m.system != old.system) {
        if (auto s = lag_name(*txn, id, uid, old, m.system); !s) return s.error();
        lagged = true;
      }
      out.push_back(to_meta(uid, m));
    }
    if (out.empty()) return out;
    if (auto s = save_state(*txn, *mb); !s) return s.error();
    // The index is the truth and is durable here; the ":2," letters follow
    // in the background (renamer_loop), so that STORE 1:* on 100,000
    // messages answers without waiting for 100,000 renames. Until then the
    // "lagging" table says what each name holds: file lookups use it, and a
    // scan does not take our own pending change for another program's.
    if (auto s = txn->commit(); !s) return s.error();
    if (lagged) wake_renamer();
  }
  hub_->notify({id});
  return out;
}

// --- the renamer -------------------------------------------------------------

// Two environments of one LMDB file in one process break its locks: an
// account's environment is closed under this lock, and open_account() opens
// under it, so a login racing the close of the same account waits.
std::recursive_mutex g_env_mu;

MaildirAccount::~MaildirAccount() {
  std::lock_guard lk(g_env_mu);
  env_.reset();
}

void MaildirAccount::wake_renamer() {
  std::lock_guard lk(renamer_mu_);
  renamer_wanted_ = true;
  if (renamer_running_) return;
  renamer_running_ = true;
  std::thread([self = shared_from_this()] { self->renamer_loop(); }).detach();
}

void MaildirAccount::renamer_loop() {
  for (;;) {
    {
      std::lock_guard lk(renamer_mu_);
      if (!renamer_wanted_) {
        renamer_running_ = false;
        renamer_cv_.notify_all();
        return;
      }
      renamer_wanted_ = false;
    }
    // In batches, so that other writers wait at most one batch.
    for (;;) {
      Result<size_t> n = [&] {
        std::lock_guard lk(write_mu_);
        return rename_lagging_locked(512);
      }();
      if (!n) {
        // Left in the table: the next wake or open tries again.
        repair("renaming files to their flags failed: " + n.error().detail);
        break;
      }
      if (*n == 0) break;
    }
  }
}

Status MaildirAccount::settle_names() {
  {
    std::lock_guard lk(write_mu_);
    for (;;) {
      auto n = rename_lagging_locked(4096);
      if (!n) return n.error();
      if (*n == 0) break;
    }
  }
  // And let a running renamer see there is nothing left, and end.
  std::unique_lock lk(renamer_mu_);
  renamer_cv_.wait(lk, [&] { return !renamer_running_; });
  return {};
}

// Renames up to `limit` lagging files to the flags of their records, then
// forgets them in the same transaction. A crash in between leaves entries
// whose file already has its new name: the rename then finds no file under
// the old one and the entry is dropped.
Result<size_t> MaildirAccount::rename_lagging_locked(size_t limit) {
  auto txn = write_txn();
  if (!txn) return txn.error();
  struct Item {
    MailboxId id;
    uint32_t uid;
    uint8_t on_disk;
  };
  std::vector<Item> items;
  {
    Cursor c(*txn, txn->dbi().lagging);
    for (bool ok = c.first(); ok && items.size() < limit; ok = c.next())
      if (c.key().size() == 8 && c.value().size() == 1)
        items.push_back({index::get_be32(c.key(), 0), index::get_be32(c.key(), 4), uint8_t(c.value()[0])});
  }
  if (items.empty()) return size_t(0);
  struct Folder {
    MbState mb;
    int dfd = -1;
    bool clean = false;  // cur/ unchanged since the last scan: keep it so after our renames
  };
  std::map<MailboxId, Folder> folders;
  auto close_all = [&] {
    for (auto& [id, f] : folders)
      if (f.dfd >= 0) ::close(f.dfd);
  };
  for (const Item& it : items) {
    if (auto s = txn->del(txn->dbi().lagging, index::key_u32x2(it.id, it.uid)); !s) return close_all(), s.error();
    auto rec = load_message(*txn, it.id, it.uid);
    if (!rec) return close_all(), rec.error();
    if (!*rec || (*rec)->system == it.on_disk) continue;
    auto f = folders.find(it.id);
    if (f == folders.end()) {
      auto mb = load_state(*txn, it.id);
      if (!mb) continue;  // mailbox gone
      fs::path cur = folder(mb->rec) / "cur";
      Folder nf{std::move(*mb), ::open(cur.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC), false};
      int64_t m = mtime_ns(cur);
      nf.clean = m > 0 && m == nf.mb.rec.cur_mtime;
      f = folders.emplace(it.id, std::move(nf)).first;
    }
    if (f->second.dfd < 0) continue;
    const MessageRecord& r = **rec;
    std::string from = maildir::make_file_name(r.base, r.size, it.uid, it.on_disk);
    std::string to = maildir::make_file_name(r.base, r.size, it.uid, r.system);
    if (::renameat(f->second.dfd, from.c_str(), f->second.dfd, to.c_str()) != 0 && errno != ENOENT) {
      Error e = sys_error("rename", from);
      close_all();
      return e;
    }
  }
  for (auto& [id, f] : folders) {
    if (f.dfd < 0) continue;
    if (settings_.fsync && ::fsync(f.dfd) != 0) {
      close_all();
      return sys_error("fsync", folder(f.mb.rec).string());
    }
    if (f.clean) {
      f.mb.rec.cur_mtime = mtime_ns(folder(f.mb.rec) / "cur");
      if (auto s = save_state(*txn, f.mb); !s) return close_all(), s.error();
    }
  }
  close_all();
  if (auto s = txn->commit(); !s) return s.error();
  return items.size();
}

Result<std::vector<uint32_t>> MaildirAccount::expunge(MailboxId id, std::optional<std::span<const uint32_t>> only) {
  std::vector<uint32_t> out;
  {
    std::lock_guard lk(write_mu_);
    auto txn = write_txn();
    if (!txn) return txn.error();
    auto mb = load_state(*txn, id);
    if (!mb) return mb.error();
    std::vector<std::pair<uint32_t, MessageRecord>> victims;
    if (mb->rec.deleted == 0) return out;
    if (only) {
      for (uint32_t uid : sorted_unique(*only)) {
        auto r = load_message(*txn, id, uid);
        if (!r) return r.error();
        if (*r && ((*r)->system & kDeleted)) victims.emplace_back(uid, std::move(**r));
      }
    } else {
      Cursor c(*txn, txn->dbi().msgs);
      std::string prefix = index::key_u32(id);
      for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        auto r = index::decode_message(c.value());
        if (r && (r->system & kDeleted)) victims.emplace_back(index::get_be32(c.key(), 4), std::move(*r));
      }
    }
    if (victims.empty()) return out;
    std::vector<fs::path> files;
    std::vector<uint8_t> names;  // flags in each victim's file name
    for (auto& [uid, m] : victims) {
      auto nf = name_flags(*txn, id, uid, m);
      if (!nf) return nf.error();
      names.push_back(*nf);
      files.push_back(cur_path(mb->rec, m.base, m.size, uid, *nf));
      if (auto s = remove_message(*txn, *mb, uid, m, settings_.cache_extra_tags); !s) return s.error();
      out.push_back(uid);
    }
    if (auto s = save_state(*txn, *mb); !s) return s.error();
    if (auto s = txn->commit(); !s) return s.error();
    if (out.back() + 1 == mb->rec.uidnext) write_uidnext_hint(folder(mb->rec), mb->rec.uidvalidity, mb->rec.uidnext);
    for (size_t i = 0; i < files.size(); ++i) {
      if (::unlink(files[i].c_str()) != 0 && errno == ENOENT) {
        if (auto p = locate(mb->rec, victims[i].first, victims[i].second, names[i])) ::unlink(p->c_str());
      }
    }
  }
  hub_->notify({id});
  return out;
}

Result<std::unique_ptr<MessageFile>> MaildirAccount::open_message(MailboxId id, uint32_t uid) {
  MailboxRecord mbr;
  MessageRecord m;
  uint8_t flags = 0;
  {
    auto txn = read_txn();
    if (!txn) return txn.error();
    auto mb = load_mailbox(*txn, id);
    if (!mb) return mb.error();
    if (!*mb) return make_error(Errc::not_found, "no such mailbox");
    auto r = load_message(*txn, id, uid);
    if (!r) return r.error();
    if (!*r) return make_error(Errc::not_found, "no such message");
    auto nf = name_flags(*txn, id, uid, **r);
    if (!nf) return nf.error();
    mbr = std::move(**mb);
    m = std::move(**r);
    flags = *nf;
  }
  int fd = ::open(cur_path(mbr, m.base, m.size, uid, flags).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    auto p = locate(mbr, uid, m, flags);
    if (!p) return p.error();
    fd = ::open(p->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sys_error("open", p->string());
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return make_error(Errc::internal, "fstat");
  }
  return std::unique_ptr<MessageFile>(std::make_unique<FdMessageFile>(fd, uint64_t(st.st_size)));
}

Result<std::vector<std::string>> MaildirAccount::caches(MailboxId id, std::span<const uint32_t> uids,
                                                       const CacheProjection& project) {
  std::vector<std::string> out(uids.size());
  std::vector<size_t> missing;
  {
    auto txn = read_txn();
    if (!txn) return txn.error();
    auto mb = load_mailbox(*txn, id);
    if (!mb) return mb.error();
    if (!*mb) return make_error(Errc::not_found, "no such mailbox");
    std::vector<bool> found(uids.size(), false);
    for_each_uid(*txn, txn->dbi().cache, index::key_u32(id), uids, [&](size_t i, std::string_view blob) {
      out[i] = project ? project(blob) : std::string(blob);
      found[i] = true;
    });
    for (size_t i = 0; i < uids.size(); ++i)
      if (!found[i]) missing.push_back(i);
  }
  if (missing.empty() || !settings_.make_cache) return out;
  // Messages that came without a cache (other programs, imports): made from
  // the file once, then kept.
  std::vector<std::pair<size_t, CacheEntry>> made;
  for (size_t i : missing) {
    auto file = open_message(id, uids[i]);
    if (!file) continue;
    CacheEntry e = cache_of_fd(settings_, static_cast<FdMessageFile*>(file->get())->fd());
    if (e.blob.empty()) continue;
    out[i] = project ? project(e.blob) : e.blob;
    made.emplace_back(i, std::move(e));
  }
  if (made.empty()) return out;
  std::lock_guard lk(write_mu_);
  auto txn = write_txn();
  if (!txn) return out;  // the cache is an optimisation: answer anyway
  for (auto& [i, e] : made) {
    auto still_there = txn->get(txn->dbi().msgs, index::key_u32x2(id, uids[i]));
    if (!still_there || !*still_there) continue;  // expunged meanwhile
    if (!put_cache(*txn, id, uids[i], e)) return out;
  }
  (void)txn->commit();
  return out;
}

Result<std::vector<std::optional<std::string>>> MaildirAccount::cache_extras(MailboxId id, char tag,
                                                                             std::span<const uint32_t> uids,
                                                                             const CacheProjection& project) {
  std::vector<std::optional<std::string>> out(uids.size());
  auto txn = read_txn();
  if (!txn) return txn.error();
  // One tag's entries lie together in UID order.
  for_each_uid(*txn, txn->dbi().extras, index::key_u32(id) + tag, uids,
               [&](size_t i, std::string_view value) { out[i] = project ? project(value) : std::string(value); });
  return out;
}

Result<Account::Quota> MaildirAccount::quota() {
  auto txn = read_txn();
  if (!txn) return txn.error();
  auto used = load_usage(*txn);
  if (!used) return used.error();
  auto limits = load_limits(*txn, settings_);
  if (!limits) return limits.error();
  Quota q;
  q.storage_used = used->bytes;
  q.storage_limit = limits->bytes;
  q.messages_used = used->messages;
  q.messages_limit = limits->messages;
  return q;
}

Status MaildirAccount::set_quota(std::optional<uint64_t> storage_limit, std::optional<uint64_t> messages_limit) {
  std::lock_guard lk(write_mu_);
  auto txn = write_txn();
  if (!txn) return txn.error();
  if (storage_limit)
    if (auto s = put_meta_u64(*txn, "quota_storage", *storage_limit); !s) return s;
  if (messages_limit)
    if (auto s = put_meta_u64(*txn, "quota_messages", *messages_limit); !s) return s;
  return txn->commit();
}

std::unique_ptr<Account::Watch> MaildirAccount::watch(MailboxId mailbox, std::function<void()> wake) {
  uint64_t token = hub_->add(mailbox, std::move(wake));
  return std::make_unique<WatchImpl>(hub_, mailbox, token);
}

// --- check -----------------------------------------------------------------

Result<std::vector<std::string>> MaildirAccount::check() {
  std::lock_guard lk(write_mu_);
  std::vector<std::string> out;
  auto txn = read_txn();
  if (!txn) return txn.error();
  std::set<std::string> known_dirs;
  Cursor c(*txn, txn->dbi().mailboxes);
  for (bool ok = c.first(); ok; ok = c.next()) {
    auto rec = index::decode_mailbox(c.value());
    if (!rec) {
      out.push_back("unreadable mailbox record");
      continue;
    }
    MailboxId id = index::get_be32(c.key(), 0);
    known_dirs.insert(rec->dir);
    fs::path dir = folder(*rec);
    std::string label = "mailbox \"" + rec->name + "\"";
    if (::access((dir / "cur").c_str(), F_OK) != 0) {
      out.push_back(label + ": folder " + dir.string() + " missing");
      continue;
    }
    std::unordered_map<std::string, std::string> on_disk;  // base -> file name
    for (auto& n : list_dir(dir / "cur")) on_disk[maildir::parse_file_name(n).base] = n;
    for (auto& n : list_dir(dir / "new")) out.push_back(label + ": unknown file new/" + n + " (not yet picked up)");
    Cursor m(*txn, txn->dbi().msgs);
    std::string prefix = index::key_u32(id);
    std::vector<uint32_t> uids, unseen;  // as the records say
    for (bool ok2 = m.seek(prefix); ok2 && m.key().starts_with(prefix); ok2 = m.next()) {
      uint32_t uid = index::get_be32(m.key(), 4);
      auto r = index::decode_message(m.value());
      if (!r) {
        out.push_back(label + ": unreadable record of UID " + std::to_string(uid));
        continue;
      }
      uids.push_back(uid);
      if (!(r->system & kSeen)) unseen.push_back(uid);
      auto it = on_disk.find(r->base);
      if (it == on_disk.end()) {
        out.push_back(label + ": UID " + std::to_string(uid) + " missing file " + r->base);
        continue;
      }
      auto fn = maildir::parse_file_name(it->second);
      auto nf = name_flags(*txn, id, uid, *r);
      if (!nf) return nf.error();
      if (fn.flags == *nf) fn.flags = r->system;  // a rename the renamer has yet to do
      if (fn.uid != uid)
        out.push_back(label + ": UID " + std::to_string(uid) + " file " + it->second + " has another U=");
      if (fn.flags != r->system)
        out.push_back(label + ": UID " + std::to_string(uid) + " flags in index \"" +
                      maildir::flags_to_letters(r->system) + "\" but file " + it->second);
      on_disk.erase(it);
    }
    for (auto& [base, n] : on_disk) out.push_back(label + ": unknown file cur/" + n);
    for (auto [db, what, want] : {std::tuple{txn->dbi().present, "UIDs", &uids},
                                  std::tuple{txn->dbi().unseen, "unseen UIDs", &unseen}}) {
      std::vector<uint32_t> got;
      Cursor b(*txn, db);
      for (bool ok2 = b.seek(prefix); ok2 && b.key().starts_with(prefix); ok2 = b.next())
        index::append_chunk_uids(b.value(), index::get_be32(b.key(), 4), got);
      if (got != *want)
        out.push_back(label + ": bitmap of " + what + " disagrees with the message records (" +
                      std::to_string(got.size()) + " vs " + std::to_string(want->size()) + ")");
    }
  }
  DIR* d = ::opendir(paths_.maildir.c_str());
  if (d) {
    while (struct dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n.size() < 2 || n[0] != '.' || n == ".." || n.starts_with(kTrashPrefix)) continue;
      std::error_code ec;
      if (!fs::is_directory(paths_.maildir / n / "cur", ec)) continue;
      if (!known_dirs.count(std::string(n))) out.push_back("unknown folder " + std::string(n));
    }
    ::closedir(d);
  }
  return out;
}

// --- store and registry ------------------------------------------------------

Result<std::shared_ptr<MaildirAccount>> open_account(const StoreSettings& settings, const std::string& user) {
  auto paths = user_paths(settings, user);
  if (!paths) return paths.error();
  // Per process: a forked child must open its own environment (LMDB handles
  // must not cross fork()).
  std::string key = std::to_string(getpid()) + ":" + fs::weakly_canonical(paths->root).string();
  std::lock_guard lk(g_accounts_mu);
  if (auto it = g_accounts.find(key); it != g_accounts.end())
    if (auto acc = it->second.lock()) return acc;
  std::lock_guard env_lk(g_env_mu);
  auto acc = std::make_shared<MaildirAccount>(settings, user, std::move(*paths));
  if (auto s = acc->open(); !s) return s.error();
  g_accounts[key] = acc;
  return acc;
}

class MaildirStore : public Store {
 public:
  explicit MaildirStore(StoreSettings s) : settings_(std::move(s)) {}
  Result<std::shared_ptr<Account>> open(const std::string& user) override {
    auto acc = open_account(settings_, user);
    if (!acc) return acc.error();
    keep_open(*acc);
    return std::shared_ptr<Account>(std::move(*acc));
  }

 private:
  // Accounts stay open a while after their last user lets go: LMTP opens
  // the same accounts for every delivery, and opening one (the LMDB
  // environment, the tmp/ sweep) costs more than a delivery. At most
  // kKept, each for kIdle after its last open.
  static constexpr size_t kKept = 64;
  static constexpr std::chrono::seconds kIdle{60};
  void keep_open(const std::shared_ptr<MaildirAccount>& acc) {
    std::vector<std::shared_ptr<MaildirAccount>> dropped;  // closed outside the lock
    std::lock_guard lk(mu_);
    auto now = std::chrono::steady_clock::now();
    for (auto it = kept_.begin(); it != kept_.end();) {
      if (it->first == acc || now - it->second > kIdle) {
        dropped.push_back(std::move(it->first));
        it = kept_.erase(it);
      } else {
        ++it;
      }
    }
    kept_.emplace_front(acc, now);
    if (kept_.size() > kKept) {
      dropped.push_back(std::move(kept_.back().first));
      kept_.pop_back();
    }
  }

  StoreSettings settings_;
  std::mutex mu_;
  std::list<std::pair<std::shared_ptr<MaildirAccount>, std::chrono::steady_clock::time_point>> kept_;
};

}  // namespace

std::unique_ptr<Store> make_maildir_store(StoreSettings settings) {
  return std::make_unique<MaildirStore>(std::move(settings));
}

Status rebuild_index(const StoreSettings& settings, const std::string& user) {
  auto acc = open_account(settings, user);
  if (!acc) return acc.error();
  return (*acc)->rebuild(true);
}

Result<std::vector<std::string>> check_index(const StoreSettings& settings, const std::string& user) {
  auto acc = open_account(settings, user);
  if (!acc) return acc.error();
  return (*acc)->check();
}

Status settle_file_names(Account& account) {
  auto* a = dynamic_cast<MaildirAccount*>(&account);
  if (!a) return make_error(Errc::invalid, "not a Maildir account");
  return a->settle_names();
}

std::optional<MaildirCounters> maildir_counters(const Account& account) {
  auto* a = dynamic_cast<const MaildirAccount*>(&account);
  if (!a) return std::nullopt;
  return a->counters();
}

}  // namespace courriel::store
