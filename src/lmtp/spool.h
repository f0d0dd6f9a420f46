// SpoolFile: a message received once (LMTP DATA/BDAT, `courriel deliver`'s
// stdin) kept while it is stored for each recipient: in memory up to
// kKeptInMemory (most mail; no file to write, map and read back), past that
// in a private temporary file, so that a large message is never held in
// memory. The file is removed when the SpoolFile is destroyed; an LMTP
// session keeps one for all its messages.
//
// Thread-safety: none; one owner at a time (it may move between threads).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::lmtp {

// A spooled message as a delivery reads it: its bytes when the spool kept
// them in memory, else the file they are in.
struct SpooledMessage {
  std::filesystem::path file;
  std::optional<std::string_view> bytes;
};

class SpoolFile {
 public:
  // Creates the file (mode 0600) in `dir`, creating `dir` (0700) if needed.
  static Result<std::unique_ptr<SpoolFile>> create(const std::filesystem::path& dir);
  ~SpoolFile();
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  static constexpr size_t kKeptInMemory = 64 * 1024;

  // Appends bytes (into memory, then the page cache: spooled data is not
  // fsynced, the store makes each delivered copy durable).
  Status write(std::string_view bytes);
  // Empties the file for the next message: a session reuses its spool file
  // (creating and unlinking one per message costs more than the delivery).
  Status clear();
  uint64_t size() const { return size_; }
  // The message written so far; valid until the next write() or clear().
  SpooledMessage message() const;

 private:
  SpoolFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status write_file(std::string_view bytes);
  std::filesystem::path path_;
  int fd_;
  uint64_t size_ = 0;
  std::string kept_;      // the message while it fits kKeptInMemory
  bool in_file_ = false;  // it did not: everything is in the file
};

}  // namespace courriel::lmtp
