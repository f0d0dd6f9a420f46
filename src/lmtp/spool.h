// SpoolFile: a message received once (LMTP DATA/BDAT, `courriel deliver`'s
// stdin) kept in a private temporary file while it is stored for each
// recipient, so that a large message is never held in memory. The file is
// removed when the SpoolFile is destroyed; an LMTP session keeps one for all
// its messages.
//
// Thread-safety: none; one owner at a time (it may move between threads).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "base/result.h"

namespace courriel::lmtp {

class SpoolFile {
 public:
  // Creates the file (mode 0600) in `dir`, creating `dir` (0700) if needed.
  static Result<std::unique_ptr<SpoolFile>> create(const std::filesystem::path& dir);
  ~SpoolFile();
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  // Appends bytes (into the page cache: spooled data is not fsynced, the
  // store makes each delivered copy durable).
  Status write(std::string_view bytes);
  // Empties the file for the next message: a session reuses its spool file
  // (creating and unlinking one per message costs more than the delivery).
  Status clear();
  uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  SpoolFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_;
  uint64_t size_ = 0;
};

}  // namespace courriel::lmtp
