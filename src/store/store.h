// The storage interface (DESIGN §3): what every protocol uses to reach a
// user's mail. Backends (Maildir + LMDB index today, mbox and a networked
// backend later) live below it; nothing here formats protocol responses.
//
// Threading: an Account is shared by every session of its user in this
// process and is thread-safe; calls may block on the disk (fsync, directory
// scans), so event-loop code runs them with net::run_blocking. Several
// processes (the server, `courriel deliver`, the admin commands) may open the
// same account at once; the index serialises their writes.
//
// Names: mailbox names are UTF-8, hierarchy separator '/', "INBOX" (exactly,
// case-folded by the caller) is the inbox. Mailbox ids are stable while the
// mailbox exists, and never reused within an account (a re-created mailbox
// gets a new id and a new UIDVALIDITY).
//
// Errors (base/result.h): not_found (no such mailbox/message/user),
// already_exists, invalid (bad name, e.g. escaping the account, not UTF-8),
// permission_denied (e.g. deleting INBOX), too_big, over_quota, internal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace courriel::store {

using MailboxId = uint32_t;

// System flags (RFC 9051 §2.3.2) as bits; \Recent is not stored per message
// (see MailboxSnapshot::first_recent_uid).
enum SystemFlag : uint8_t {
  kSeen = 1 << 0,
  kAnswered = 1 << 1,
  kFlagged = 1 << 2,
  kDeleted = 1 << 3,
  kDraft = 1 << 4,
};

struct Flags {
  uint8_t system = 0;
  // Keywords as first written, unique case-insensitively, sorted by their
  // ASCII-lower-cased form; any number of them.
  std::vector<std::string> keywords;
  bool operator==(const Flags&) const = default;
};

enum class FlagOp { replace, add, remove };

// RFC 6154 special-use attributes, as bits.
enum SpecialUse : uint8_t {
  kAll = 1 << 0,
  kArchive = 1 << 1,
  kDrafts = 1 << 2,
  kFlaggedUse = 1 << 3,
  kJunk = 1 << 4,
  kSent = 1 << 5,
  kTrash = 1 << 6,
};

struct MailboxInfo {
  std::string name;
  MailboxId id = 0;
  uint8_t special_use = 0;
  bool subscribed = false;
  bool exists = true;  // false: only subscribed (LIST shows \NonExistent)
  bool has_children = false;
};

struct MailboxStatus {
  uint32_t messages = 0;
  uint32_t recent = 0;
  uint32_t unseen = 0;
  uint32_t deleted = 0;
  uint32_t uidnext = 1;
  uint32_t uidvalidity = 0;
  uint64_t size = 0;  // sum of message sizes (RFC 8438 STATUS SIZE)
  uint64_t highest_modseq = 0;
};

struct MessageMeta {
  uint32_t uid = 0;
  uint64_t modseq = 0;
  uint64_t size = 0;          // RFC822.SIZE: bytes of the message as stored (CRLF)
  int64_t internal_date = 0;  // seconds since the epoch
  int internal_date_offset = 0;  // minutes east of UTC the date was given in
  Flags flags;
};

// UIDs first..last, both included.
struct UidRange {
  uint32_t first = 0;
  uint32_t last = 0;
  bool operator==(const UidRange&) const = default;
};
// The UIDs of ascending, disjoint ranges, one by one.
inline std::vector<uint32_t> expand(const std::vector<UidRange>& ranges) {
  std::vector<uint32_t> out;
  for (const auto& r : ranges)
    for (uint64_t u = r.first; u <= r.last; ++u) out.push_back(uint32_t(u));
  return out;
}

// What SELECT/EXAMINE need, as of now: the UIDs, not the messages (their
// metadata is read when a command asks, with messages()).
struct MailboxSnapshot {
  MailboxId id = 0;
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highest_modseq = 0;
  uint32_t first_recent_uid = 0;  // messages with uid >= this are \Recent for the caller
  // Ascending, disjoint, not adjacent: a mailbox whose messages were never
  // expunged is one range, whatever its size.
  std::vector<UidRange> uid_ranges;
  uint32_t first_unseen_uid = 0;  // the lowest UID without \Seen; 0: none
  // Every keyword the mailbox's messages use (it may name some no message
  // has any more: the list only grows, as in Dovecot).
  std::vector<std::string> keywords;
};

// What changed in a mailbox since a modseq: new messages and flag changes
// (modseq > since, UID order), and UIDs expunged after `since`.
struct Changes {
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highest_modseq = 0;
  std::vector<MessageMeta> updated;
  std::vector<uint32_t> expunged;  // ascending; may name UIDs the caller never saw
};

// A message being received (APPEND literal, LMTP DATA), written as it
// arrives to a temporary file of the account. Destroying it without passing it
// to Account::append() removes the file.
class IncomingMessage {
 public:
  virtual ~IncomingMessage() = default;
  virtual Status write(std::string_view bytes) = 0;
  virtual uint64_t size() const = 0;
};

struct NewMessage {
  std::unique_ptr<IncomingMessage> body;
  Flags flags;
  std::optional<int64_t> internal_date;  // default: now
  int internal_date_offset = 0;
};

struct AppendResult {
  uint32_t uidvalidity = 0;
  std::vector<uint32_t> uids;  // one per message, in order (RFC 4315 APPENDUID)
};

struct CopyResult {
  uint32_t uidvalidity = 0;         // of the destination
  std::vector<uint32_t> source_uids;  // those that existed, ascending (RFC 4315 COPYUID)
  std::vector<uint32_t> dest_uids;    // same order
};

// A stored message's bytes, readable at any offset without loading it whole.
class MessageFile {
 public:
  virtual ~MessageFile() = default;
  virtual uint64_t size() const = 0;
  // Reads up to out.size() bytes at `offset`; 0 at the end.
  virtual Result<size_t> read(uint64_t offset, std::span<char> out) = 0;
};

class Account {
 public:
  virtual ~Account() = default;

  // --- mailboxes ---
  // Every mailbox and every subscription, sorted by name.
  virtual Result<std::vector<MailboxInfo>> list() = 0;
  virtual Result<MailboxId> lookup(std::string_view name) = 0;
  // Creates `name` and any missing parents (RFC 9051 §6.3.4). already_exists.
  virtual Result<MailboxId> create(std::string_view name, uint8_t special_use = 0) = 0;
  // Deletes the mailbox and its messages. INBOX: permission_denied. A mailbox
  // with children keeps existing as a \Noselect parent only if the backend needs it.
  virtual Status remove(std::string_view name) = 0;
  // Renames a mailbox and its children. Renaming INBOX moves its messages into
  // a new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
  virtual Status rename(std::string_view from, std::string_view to) = 0;
  virtual Status subscribe(std::string_view name, bool subscribed) = 0;
  virtual Result<MailboxStatus> status(std::string_view name) = 0;

  // --- messages ---
  // SELECT (claim_recent: the caller becomes the session that sees \Recent,
  // RFC 3501 §2.3.2) or EXAMINE (claim_recent false). Picks up files other
  // programs dropped into the mailbox first.
  virtual Result<MailboxSnapshot> snapshot(MailboxId mailbox, bool claim_recent) = 0;
  virtual Result<Changes> changes_since(MailboxId mailbox, uint64_t modseq) = 0;
  // snapshot() and changes_since() answered from the index alone, cheap enough
  // for the event loop (DESIGN §5: it never waits on the disk for long): a
  // read transaction and a stat() of the mailbox's directories. nullopt when
  // the full call would do more (scan the Maildir, write the index, read more
  // than a few hundred changes, or describe thousands of UID ranges); the
  // caller then makes it off the loop.
  virtual std::optional<Result<MailboxSnapshot>> snapshot_from_index(MailboxId mailbox,
                                                                     bool claim_recent) = 0;
  virtual std::optional<Result<Changes>> changes_from_index(MailboxId mailbox, uint64_t modseq) = 0;
  // Metadata of the given UIDs (ascending); missing UIDs are skipped.
  virtual Result<std::vector<MessageMeta>> messages(MailboxId mailbox,
                                                    std::span<const uint32_t> uids) = 0;
  virtual Result<std::unique_ptr<IncomingMessage>> begin_message() = 0;
  // Stores the messages atomically (all or none, RFC 3502 MULTIAPPEND). Returns
  // only once they and their index entries are durable; concurrent appends
  // share their fsyncs (group commit).
  virtual Result<AppendResult> append(MailboxId mailbox, std::vector<NewMessage> messages) = 0;
  // COPY, or MOVE (move = true: the source messages are expunged in the same step).
  virtual Result<CopyResult> copy(MailboxId from, std::span<const uint32_t> uids, MailboxId to,
                                  bool move) = 0;
  // STORE: changes flags, giving each changed message a new modseq. With
  // unchanged_since (RFC 7162 §3.1.3), messages whose modseq is greater are
  // left alone and their UIDs put in `failed`. Returns the messages whose flags
  // changed, with their new metadata.
  virtual Result<std::vector<MessageMeta>> store(MailboxId mailbox, std::span<const uint32_t> uids,
                                                 FlagOp op, const Flags& flags,
                                                 std::optional<uint64_t> unchanged_since,
                                                 std::vector<uint32_t>* failed) = 0;
  // Removes the \Deleted messages (only those in `only`, if given: UID EXPUNGE)
  // and their files, at once. Returns the expunged UIDs, ascending.
  virtual Result<std::vector<uint32_t>> expunge(MailboxId mailbox,
                                                std::optional<std::span<const uint32_t>> only) = 0;
  virtual Result<std::unique_ptr<MessageFile>> open_message(MailboxId mailbox, uint32_t uid) = 0;
  // The StoreSettings::make_cache blob of each UID (ascending, in the order
  // given; "" for a UID that does not exist). Kept in the index from APPEND
  // on; made from the file and kept at the first request for messages that
  // arrived otherwise (other programs, imports, copies). `project`, if
  // given, is applied to each blob where it lies (mapped, uncopied): a
  // reader that needs a small part of large blobs copies only that.
  using CacheProjection = std::function<std::string(std::string_view blob)>;
  virtual Result<std::vector<std::string>> caches(MailboxId mailbox, std::span<const uint32_t> uids,
                                                  const CacheProjection& project = {}) = 0;
  // The make_cache extra with `tag` of each UID (ascending), or
  // nullopt where the index has none (the message is gone, or its cache was
  // never made: caches() makes it).
  // `project`, if given, is applied to each text where it lies, as in caches().
  virtual Result<std::vector<std::optional<std::string>>> cache_extras(MailboxId mailbox, char tag,
                                                                       std::span<const uint32_t> uids,
                                                                       const CacheProjection& project = {}) = 0;

  // --- change notification (this process) ---
  // `wake` is called (from any thread, with no lock held) after any change to
  // `mailbox` made through this process. Returns a handle; destroying it
  // unregisters. Changes by other processes are seen at the next
  // changes_since() call.
  class Watch {
   public:
    virtual ~Watch() = default;
  };
  virtual std::unique_ptr<Watch> watch(MailboxId mailbox, std::function<void()> wake) = 0;

  // --- quota (RFC 9208: one root per account) ---
  // Usage is exact: kept in the index in the same transactions that add and
  // remove messages. A limit of 0 means none. append() and copy() (not a
  // move) fail with over_quota when the result would exceed a limit; each
  // append request is checked alone, inside the commit, so concurrent
  // appends never overshoot. Messages other programs drop into the Maildir
  // are counted but never refused.
  struct Quota {
    uint64_t storage_used = 0;  // bytes
    uint64_t storage_limit = 0;
    uint64_t messages_used = 0;
    uint64_t messages_limit = 0;
  };
  virtual Result<Quota> quota() { return make_error(Errc::internal, "quota not supported"); }
  // Sets the account's own limits (kept in its index; they override the
  // StoreSettings defaults). nullopt leaves a limit as it is; 0 = unlimited.
  virtual Status set_quota(std::optional<uint64_t> storage_limit, std::optional<uint64_t> messages_limit) {
    (void)storage_limit, (void)messages_limit;
    return make_error(Errc::internal, "quota not supported");
  }
};

// What StoreSettings::make_cache makes of a message: a blob, and small
// texts by one-character tag that the store keeps apart, each tag's texts
// together (Account::cache_extras), so that a reader wanting one of them for
// a whole mailbox reads only those.
struct CacheEntry {
  std::string blob;
  std::vector<std::pair<char, std::string>> extras;
};

// Per-installation settings of the store.
struct StoreSettings {
  std::filesystem::path data_dir;
  // Mailboxes a new account gets besides INBOX (RFC 6154 attributes).
  std::vector<std::pair<std::string, uint8_t>> default_mailboxes = {
      {"Drafts", kDrafts}, {"Sent", kSent}, {"Trash", kTrash}, {"Junk", kJunk},
      {"Archive", kArchive}};
  bool fsync = true;  // off only for tests and benchmarks that say so
  // Parsed data kept with every message so the common FETCHes and SEARCHes
  // never reopen its file (DESIGN §3). Opaque to the store: the application
  // passes the message parser's serializer. Called with the whole message,
  // on any thread. Empty: no cache.
  std::function<CacheEntry(std::string_view message)> make_cache;
  // Every tag make_cache may give an extra (the store drops and copies them
  // with their message).
  std::string cache_extra_tags;
  // Called (from any thread, no lock held) when the store repaired something
  // on its own, e.g. an unreadable index moved aside and rebuilt from the
  // Maildir; `what` is a human-readable line for the log. May be empty.
  std::function<void(const std::string& user, const std::string& what)> on_repair;
  // Quota limits of accounts that have none of their own (Account::set_quota);
  // 0 = unlimited.
  uint64_t default_storage_limit = 0;  // bytes
  uint64_t default_message_limit = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // The account of `user` ("local@domain"), created with its default
  // mailboxes on first use; the same object for concurrent callers.
  virtual Result<std::shared_ptr<Account>> open(const std::string& user) = 0;
};

// The default backend: Maildir++ with a per-user LMDB index (store/maildir).
std::unique_ptr<Store> make_maildir_store(StoreSettings settings);

}  // namespace courriel::store
