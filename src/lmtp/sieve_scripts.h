// SieveScripts: each user's active Sieve script, parsed once and kept while
// the file stays the same, so that a delivery costs one stat() of the
// `sieve/active` link (managesieve/script_store.h) instead of a read and a
// parse. An entry is keyed by the script file's identity (device, inode,
// size, mtime, ctime): PUTSCRIPT writes a new file and SETACTIVE moves the
// link, so either change is seen at the next delivery. A script that fails
// to parse is remembered too (its error is returned until the file changes).
//
// Thread-safety: every member may be called from any thread; parsed scripts
// are shared read-only (sieve::run takes them by const reference).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/result.h"
#include "sieve/ast.h"

namespace courriel::lmtp {

class SieveScripts {
 public:
  // At most this many users are remembered; past it the cache starts afresh.
  explicit SieveScripts(size_t max_users = 10000) : max_users_(max_users) {}

  // `user`'s active script under `data_dir`; nullptr when none is active.
  // Errors: internal (it cannot be read), invalid ("line N: ..." when it
  // does not parse: RFC 5228 §2.10.6, the caller keeps the message).
  Result<std::shared_ptr<const sieve::Script>> active(const std::filesystem::path& data_dir,
                                                      const std::string& user);

  // How many parses happened (for tests).
  uint64_t parses() const;

 private:
  struct Identity {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    bool operator==(const Identity&) const = default;
  };
  struct Entry {
    Identity id;
    std::shared_ptr<const sieve::Script> script;
    std::optional<Error> error;
  };

  size_t max_users_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
  uint64_t parses_ = 0;                              // GUARDED_BY(mu_)
};

}  // namespace courriel::lmtp
