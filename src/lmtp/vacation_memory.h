// The :days memory of Sieve vacation (RFC 5230 §4.1-4.2): which (sender,
// handle) keys of one user were answered, and until when no new reply goes
// to them. One small text file per user, next to the scripts:
//
//   <data>/<domain>/<local>/sieve/.vacation    "<expires> <key>" lines
//
// (the leading dot keeps it out of the script list; keys come from
// sieve::vacation_key and hold no line breaks). Expired lines are dropped at
// each write, and the file keeps at most kMaxVacationEntries keys.
//
// Concurrency: the daemon and `courriel deliver` may answer at once. Readers
// take a shared flock, writers an exclusive one and rewrite the file in
// place; claim() checks and records in one step, so two deliveries from the
// same sender send one reply. A damaged line is ignored (at worst, one more
// reply is sent).
//
// Thread-safety: a VacationMemory holds only its path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace courriel::lmtp {

inline constexpr size_t kMaxVacationEntries = 10000;

struct VacationEntry {
  int64_t expires = 0;  // seconds since the epoch
  std::string key;
  bool operator==(const VacationEntry&) const = default;
};

// The file's lines; malformed ones are skipped. Pure.
std::vector<VacationEntry> parse_vacation_memory(std::string_view text);
std::string format_vacation_memory(const std::vector<VacationEntry>& entries);

class VacationMemory {
 public:
  explicit VacationMemory(std::filesystem::path file) : file_(std::move(file)) {}
  // <user's sieve dir>/.vacation.
  static std::filesystem::path file_for(const std::filesystem::path& data_dir, std::string_view user);

  // Whether `key` was answered and its period lasts past `now`. A missing
  // or unreadable file: false.
  bool seen(std::string_view key, int64_t now) const;
  // Records `key` until now + days * 86400, unless it is already recorded
  // (false: another delivery answered first, send nothing).
  Result<bool> claim(std::string_view key, int64_t days, int64_t now);
  // Removes `key` (its reply could not be sent).
  Status forget(std::string_view key);

 private:
  std::filesystem::path file_;
};

}  // namespace courriel::lmtp
