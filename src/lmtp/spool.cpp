#include "lmtp/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace courriel::lmtp {

Result<std::unique_ptr<SpoolFile>> SpoolFile::create(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return make_error(Errc::internal, "cannot create " + dir.string() + ": " + std::strerror(errno));
  std::string templ = (dir / "msg.XXXXXX").string();
  int fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0)
    return make_error(Errc::internal, "cannot create a spool file in " + dir.string() + ": " +
                                          std::strerror(errno));
  return std::unique_ptr<SpoolFile>(new SpoolFile(templ, fd));
}

SpoolFile::~SpoolFile() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

Status SpoolFile::clear() {
  kept_.clear();
  size_ = 0;
  if (!in_file_) return {};
  in_file_ = false;
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0)
    return make_error(Errc::internal, "spool truncate " + path_.string() + ": " + std::strerror(errno));
  return {};
}

SpooledMessage SpoolFile::message() const {
  if (in_file_) return SpooledMessage{path_, std::nullopt};
  return SpooledMessage{path_, std::string_view(kept_)};
}

Status SpoolFile::write(std::string_view bytes) {
  if (!in_file_) {
    if (kept_.size() + bytes.size() <= kKeptInMemory) {
      kept_.append(bytes);
      size_ += bytes.size();
      return {};
    }
    in_file_ = true;
    std::string kept = std::move(kept_);
    kept_.clear();
    size_ = 0;
    if (Status s = write_file(kept); !s) return s;
  }
  return write_file(bytes);
}

Status SpoolFile::write_file(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Errc code = errno == ENOSPC || errno == EDQUOT ? Errc::temporary : Errc::internal;
      return make_error(code, "spool write " + path_.string() + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(size_t(n));
    size_ += uint64_t(n);
  }
  return {};
}

}  // namespace courriel::lmtp
