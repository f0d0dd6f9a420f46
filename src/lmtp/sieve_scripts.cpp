#include "lmtp/sieve_scripts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "managesieve/script_store.h"
#include "sieve/parser.h"

namespace courriel::lmtp {

Result<std::shared_ptr<const sieve::Script>> SieveScripts::active(const std::filesystem::path& data_dir,
                                                                  const std::string& user) {
  std::filesystem::path link = managesieve::active_script_link(data_dir, user);
  struct stat st {};
  if (::stat(link.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {  // no script, or a dangling link: none active
      std::lock_guard lock(mu_);
      entries_.erase(user);
      return std::shared_ptr<const sieve::Script>();
    }
    return make_error(Errc::internal, "cannot stat " + link.string() + ": " + std::strerror(errno));
  }
  Identity id{st.st_dev, st.st_ino, st.st_size,
              int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
              int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(user);
    if (it != entries_.end() && it->second.id == id) {
      if (it->second.error) return *it->second.error;
      return it->second.script;
    }
  }

  // Read and parse outside the lock. If the file changes meanwhile, the
  // entry carries the older identity and the next delivery parses again.
  int fd = ::open(link.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(Errc::internal, "cannot open " + link.string() + ": " + std::strerror(errno));
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = make_error(Errc::internal, "cannot read " + link.string() + ": " + std::strerror(errno));
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    text.append(buf, size_t(n));
  }
  ::close(fd);
  Entry entry{id, nullptr, std::nullopt};
  auto parsed = sieve::parse(text);
  if (parsed) {
    entry.script = std::make_shared<const sieve::Script>(std::move(*parsed));
  } else {
    entry.error = parsed.error();
  }
  std::lock_guard lock(mu_);
  ++parses_;
  if (entries_.size() >= max_users_ && !entries_.contains(user)) entries_.clear();
  Entry& slot = entries_[user] = std::move(entry);
  if (slot.error) return *slot.error;
  return slot.script;
}

uint64_t SieveScripts::parses() const {
  std::lock_guard lock(mu_);
  return parses_;
}

}  // namespace courriel::lmtp
