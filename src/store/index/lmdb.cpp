#include "store/index/lmdb.h"

#include <system_error>

namespace courriel::store::index {

Result<std::unique_ptr<Env>> Env::open(const std::filesystem::path& dir, bool fsync, int* rc_out) {
  auto env = std::make_unique<Env>();
  *rc_out = 0;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(Errc::internal, "mkdir " + dir.string() + ": " + ec.message());
  int rc = mdb_env_create(&env->env_);
  if (rc == 0) rc = mdb_env_set_maxdbs(env->env_, 16);
  // Address space only: the file grows as pages are used.
  if (rc == 0) rc = mdb_env_set_mapsize(env->env_, size_t(sizeof(void*) == 8 ? (64ull << 30) : (1ull << 30)));
  if (rc == 0) rc = mdb_env_set_maxreaders(env->env_, 512);
  // The message file in cur/ (fsynced, with its directory) is the durable
  // record of a delivery; the index commit syncs its data pages, and its meta
  // page with the next commit (a power loss may undo the last transaction,
  // whose files the next scan adopts again by their U= names).
  unsigned flags = MDB_NOTLS | (fsync ? MDB_NOMETASYNC : MDB_NOSYNC);
  if (rc == 0) rc = mdb_env_open(env->env_, dir.c_str(), flags, 0600);
  if (rc != 0) {
    *rc_out = rc;
    return lmdb_error(rc, "mdb_env_open " + dir.string());
  }
  // Free reader slots left by processes killed while reading.
  int dead = 0;
  mdb_reader_check(env->env_, &dead);
  MDB_txn* txn = nullptr;
  rc = mdb_txn_begin(env->env_, nullptr, 0, &txn);
  auto open_db = [&](const char* name, MDB_dbi* dbi) {
    if (rc == 0) rc = mdb_dbi_open(txn, name, MDB_CREATE, dbi);
  };
  Dbis& d = env->dbi_;
  open_db("meta", &d.meta);
  open_db("mailboxes", &d.mailboxes);
  open_db("names", &d.names);
  open_db("subs", &d.subs);
  open_db("msgs", &d.msgs);
  open_db("modseq", &d.modseq);
  open_db("expunged", &d.expunged);
  open_db("cache", &d.cache);
  open_db("present", &d.present);
  open_db("unseen", &d.unseen);
  open_db("lagging", &d.lagging);
  open_db("extras", &d.extras);
  open_db("vanished", &d.vanished);
  if (rc == 0) {
    rc = mdb_txn_commit(txn);
  } else if (txn) {
    mdb_txn_abort(txn);
  }
  if (rc != 0) {
    *rc_out = rc;
    return lmdb_error(rc, "open tables " + dir.string());
  }
  return env;
}

}  // namespace courriel::store::index
