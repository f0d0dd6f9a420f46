// Thin RAII wrappers over LMDB for the per-user index.
//
// One Env per account directory per process (LMDB forbids opening the same
// environment twice in a process); it is opened with MDB_NOTLS so read
// transactions may be used from any thread, and without MDB_NOSYNC unless the
// store's fsync setting is off, so a commit is durable when it returns and the
// environment opens after a crash at any moment without repair.
//
// Txn: a read or write transaction, aborted on destruction unless committed.
// Not thread-safe: one thread uses a Txn at a time. Views returned by get()
// and cursors point into the map and live until the transaction ends.
#pragma once

#include <lmdb.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::store::index {

inline Error lmdb_error(int rc, std::string_view what) {
  return make_error(rc == MDB_MAP_FULL ? Errc::over_quota : Errc::internal,
                    std::string(what) + ": " + mdb_strerror(rc));
}

struct Dbis {
  MDB_dbi meta = 0, mailboxes = 0, names = 0, subs = 0, msgs = 0, modseq = 0, expunged = 0;
  MDB_dbi cache = 0;  // (mailbox, uid) -> StoreSettings::make_cache blob
  // (mailbox, chunk) -> uid_bitmap.h chunk: the mailbox's UIDs, and those without \Seen
  MDB_dbi present = 0, unseen = 0;
  // (mailbox, uid) -> the flags (1 byte) a message's file name still has
  // while its ":2," letters lag the index (see MaildirAccount::store)
  MDB_dbi lagging = 0;
  // (mailbox, tag(1 byte), uid) -> a StoreSettings::make_cache extra
  MDB_dbi extras = 0;
  // (mailbox, uid) -> modseq(u64): expunged because another program deleted
  // the file (a file turning up again under that UID gets a fresh one)
  MDB_dbi vanished = 0;
};

class Env {
 public:
  ~Env() {
    if (env_) mdb_env_close(env_);
  }
  // Opens (creating) the environment in `dir`. The returned error code is the
  // raw LMDB code in `*rc` so callers can tell corruption from other failures.
  static Result<std::unique_ptr<Env>> open(const std::filesystem::path& dir, bool fsync, int* rc);
  MDB_env* env() const { return env_; }
  const Dbis& dbi() const { return dbi_; }

 private:
  MDB_env* env_ = nullptr;
  Dbis dbi_;
};

inline MDB_val val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

class Txn {
 public:
  Txn() = default;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  Txn(Txn&& o) noexcept : txn_(o.txn_), env_(o.env_) { o.txn_ = nullptr; }
  ~Txn() {
    if (txn_) mdb_txn_abort(txn_);
  }
  static Result<Txn> begin(const Env& env, bool write, MDB_txn* parent = nullptr) {
    Txn t;
    t.env_ = &env;
    int rc = mdb_txn_begin(env.env(), parent, write ? 0 : MDB_RDONLY, &t.txn_);
    if (rc != 0) return lmdb_error(rc, "mdb_txn_begin");
    return t;
  }
  Status commit() {
    int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    if (rc != 0) return lmdb_error(rc, "mdb_txn_commit");
    return {};
  }
  void abort() {
    if (txn_) mdb_txn_abort(txn_);
    txn_ = nullptr;
  }
  MDB_txn* raw() const { return txn_; }
  const Dbis& dbi() const { return env_->dbi(); }

  // nullopt when absent; error on failure.
  Result<std::optional<std::string_view>> get(MDB_dbi db, std::string_view key) const {
    MDB_val k = val(key), v;
    int rc = mdb_get(txn_, db, &k, &v);
    if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
    if (rc != 0) return lmdb_error(rc, "mdb_get");
    return std::optional<std::string_view>(view(v));
  }
  Status put(MDB_dbi db, std::string_view key, std::string_view value) {
    MDB_val k = val(key), v = val(value);
    int rc = mdb_put(txn_, db, &k, &v, 0);
    if (rc != 0) return lmdb_error(rc, "mdb_put");
    return {};
  }
  // Absent keys are not an error.
  Status del(MDB_dbi db, std::string_view key) {
    MDB_val k = val(key);
    int rc = mdb_del(txn_, db, &k, nullptr);
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_error(rc, "mdb_del");
    return {};
  }

 private:
  MDB_txn* txn_ = nullptr;
  const Env* env_ = nullptr;
};

class Cursor {
 public:
  Cursor(const Txn& txn, MDB_dbi db) { rc_ = mdb_cursor_open(txn.raw(), db, &cur_); }
  ~Cursor() {
    if (cur_ && rc_ == 0) mdb_cursor_close(cur_);
  }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  bool ok() const { return rc_ == 0; }
  // Positions at the first key >= `key`; false at the end.
  bool seek(std::string_view key) { return op(MDB_SET_RANGE, key); }
  bool first() { return op(MDB_FIRST, {}); }
  bool next() { return op(MDB_NEXT, {}); }
  std::string_view key() const { return view(k_); }
  std::string_view value() const { return view(v_); }
  // Deletes the current entry (write transactions).
  bool del() { return mdb_cursor_del(cur_, 0) == 0; }

 private:
  bool op(MDB_cursor_op o, std::string_view key) {
    if (rc_ != 0) return false;
    if (o == MDB_SET_RANGE) k_ = val(key);
    return mdb_cursor_get(cur_, &k_, &v_, o) == 0;
  }
  MDB_cursor* cur_ = nullptr;
  int rc_ = 0;
  MDB_val k_{}, v_{};
};

}  // namespace courriel::store::index
