// The user database: one text file, <data>/users, shared by the daemon and
// the admin tool (`courriel user add|remove|passwd|list`), safe while both run.
//
//   # courriel users
//   alice@example.org:$argon2id$v=19$m=19456,t=2,p=1$...$...:SCRAM-SHA-256:10000:...:...:...
//
// One line per user: "<local@domain>:<password hash>:<SCRAM credentials>"
// (password_hash.h and scram.h give the two forms). Blank lines and lines
// starting with '#' are kept as they are. An imported user may carry a
// crypt(3) hash ($6$, $5$, $y$) and an empty SCRAM field: such a user has
// scram.iterations == 0 and can use PLAIN/LOGIN but not SCRAM until
// set_password; the SCRAM caller must then use fake_scram_credentials.
//
// The file holds secrets (hashes, SCRAM keys): it must not be writable by
// group or others nor readable by others (0600 or 0640), or it is refused.
//
// Writers (add, remove, set_password) take an exclusive flock on
// <data>/users.lock, re-read the file, write <data>/users.tmp, fsync it, rename
// it over users and fsync the directory: a crash leaves the old or the new
// file, and concurrent writers (threads or processes) never lose an update.
// The new file keeps the old one's mode and, when permitted, its owner.
//
// Readers (find, verify, list) use a parsed copy of the file, reloaded when the
// file's (device, inode, size, mtime) change: one stat() per lookup. A
// malformed file is an Errc::internal error naming the line, never skipped.
//
// Thread-safety: a UserDb may be shared by any number of threads; the cache
// is guarded by a mutex that is never held while hashing. add, set_password
// and verify cost ~40 ms of CPU (argon2id): keep them off event-loop threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/scram.h"
#include "auth/user_name.h"
#include "base/result.h"

namespace courriel::auth {

inline constexpr size_t kMaxPasswordSize = 1024;

struct UserRecord {
  UserName name;
  std::string password_hash;  // encoded, see password_hash.h
  ScramCredentials scram;     // iterations == 0: none stored (imported user)
};

class UserDb {
 public:
  // `default_domain` completes names given without '@' (see parse_user_name).
  // Nothing is read or created until the first call.
  explicit UserDb(std::filesystem::path data_dir, std::string default_domain);
  ~UserDb();
  UserDb(const UserDb&) = delete;
  UserDb& operator=(const UserDb&) = delete;

  // Adds a user. Errc::invalid for a bad name or password (1..1024 bytes, no
  // NUL), Errc::already_exists, Errc::internal for I/O or a malformed file.
  Status add(std::string_view name, std::string_view password);
  // Errc::not_found if there is no such user.
  Status remove(std::string_view name);
  // Replaces the password hash and SCRAM credentials. Errc::not_found, Errc::invalid.
  Status set_password(std::string_view name, std::string_view password);
  // All users' full names, sorted.
  Result<std::vector<std::string>> list();
  // Errc::not_found for an unknown user, Errc::invalid for a malformed name.
  Result<UserRecord> find(std::string_view name);
  // The user's record if `password` is right. Errc::auth_failed for a wrong
  // password, an unknown user (after verifying against a dummy hash, so the
  // time taken does not reveal whether the user exists) or a malformed name
  // or password; Errc::internal if the file cannot be read.
  Result<UserRecord> verify(std::string_view name, std::string_view password);

  // Login cache (Dovecot's auth_cache): after a successful verify, the same
  // user with the same password is accepted for `ttl` without argon2id,
  // which costs ~20 ms of CPU and 19 MiB of memory traffic that leaves the
  // client's next commands running on cold CPU caches. Mail clients log in
  // again all day (several connections each, pollers every few minutes).
  // Kept per user: HMAC-SHA-256, under a key drawn at start, of the stored
  // hash and the password; never the password. A changed password (a new
  // stored hash), a removed user or a wrong password always misses; failures
  // are never cached. ttl 0 (the default) turns it off. At most 10,000 users
  // are remembered; past that, expired entries go, then all.
  // REQUIRES: called before the UserDb is shared between threads.
  void remember_logins(std::chrono::milliseconds ttl);
  // Passwords checked against their stored hash rather than the cache.
  uint64_t hash_checks() const { return hash_checks_.load(); }

 private:
  struct FileKey {
    bool exists = false;
    uint64_t dev = 0, ino = 0, size = 0;
    int64_t mtime_ns = 0;
    bool operator==(const FileKey&) const = default;
  };
  struct Parsed;

  // The parsed file, from the cache or reloaded.
  Result<std::shared_ptr<const Parsed>> snapshot();
  // Reads and parses the file as it is now (no cache).
  Result<std::shared_ptr<Parsed>> load() const;
  // The writer protocol above, applying `edit` to a freshly read file.
  template <class Edit>
  Status modify(Edit edit);

  const std::filesystem::path dir_;
  const std::filesystem::path users_, lock_, tmp_;
  const std::string default_domain_;
  std::mutex mutex_;
  std::shared_ptr<const Parsed> cache_;  // GUARDED_BY(mutex_)

  struct Remembered {
    std::string mac;
    std::chrono::steady_clock::time_point until;
  };
  // Whether `mac` is `user`'s remembered login, still valid.
  bool remembered(const std::string& user, std::string_view mac);
  void remember(const std::string& user, std::string mac);
  std::chrono::milliseconds login_ttl_{0};
  std::string login_key_;
  std::mutex logins_mutex_;
  std::unordered_map<std::string, Remembered> logins_;  // GUARDED_BY(logins_mutex_)
  std::atomic<uint64_t> hash_checks_{0};
};

}  // namespace courriel::auth
