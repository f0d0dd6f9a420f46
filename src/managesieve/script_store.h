// ScriptStore: one user's Sieve scripts on disk (DESIGN.md §3), shared by the
// ManageSieve server, `courriel sieve ...` and the delivery pipeline.
//
//   <data>/<domain>/<local>/sieve/<name>.sieve   one file per script
//   <data>/<domain>/<local>/sieve/active         symlink -> <name>.sieve (the
//                                                active script; absent: none)
//
// The link has no ".sieve" suffix, so it can never collide with a script.
// Writes go to a temporary file that is fsynced and renamed into place; the
// link is replaced by renaming a new link over it. Writers serialise on an
// flock of sieve/.lock (the daemon and the admin tool may run together).
//
// Names (RFC 5804 §1.6): 1..128 bytes of UTF-8, no control characters, no
// '/', not "." or "..".
//
// Thread-safety: a ScriptStore holds only its paths and limits; any number
// may work on the same directory at once.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace courriel::managesieve {

inline constexpr size_t kMaxScriptName = 128;

struct ScriptLimits {
  size_t max_script_size = 1 << 20;  // bytes per script (MAXSIZE)
  size_t max_scripts = 64;           // scripts per user (MAXSCRIPTS)
};

struct ScriptInfo {
  std::string name;
  bool active = false;
};

// Errc::invalid naming the rule broken.
Status validate_script_name(std::string_view name);

class ScriptStore {
 public:
  // `dir` is the user's sieve/ folder (created on the first write).
  ScriptStore(std::filesystem::path dir, ScriptLimits limits = {});
  // <data>/<domain>/<local>/sieve for `user` = "local@domain" (canonical).
  static std::filesystem::path dir_for(const std::filesystem::path& data_dir,
                                       std::string_view user);

  // Sorted by name.
  Result<std::vector<ScriptInfo>> list() const;
  // Errc::not_found.
  Result<std::string> get(std::string_view name) const;
  // sieve::parse: Errc::invalid with "line N: message".
  static Status check(std::string_view text);
  // Whether a script `name` of `size` bytes may be stored: Errc::too_big
  // (MAXSIZE), Errc::over_quota (too many scripts).
  Status have_space(std::string_view name, uint64_t size) const;
  // Validates (check), checks the space, then stores atomically.
  Status put(std::string_view name, std::string_view text);
  // Marks `name` active; "" deactivates. Errc::not_found.
  Status set_active(std::string_view name);
  // The active script's name, "" when none.
  Result<std::string> active_name() const;
  // Errc::not_found; Errc::permission_denied for the active script (RFC 5804 §2.10).
  Status remove(std::string_view name);
  // Errc::not_found, Errc::already_exists. The active script stays active.
  Status rename(std::string_view from, std::string_view to);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path file(std::string_view name) const;

  std::filesystem::path dir_;
  ScriptLimits limits_;
};

// For the delivery pipeline: the text of `user`'s active script, nullopt when
// there is none (or it cannot be read). `user` is canonical "local@domain".
std::optional<std::string> active_script(const std::filesystem::path& data_dir,
                                         const std::string& user);

// The `sieve/active` link of `user`: stat() or open() through it reaches the
// active script (for callers that cache the parsed script by file identity).
std::filesystem::path active_script_link(const std::filesystem::path& data_dir,
                                         std::string_view user);

}  // namespace courriel::managesieve
