#include "lmtp/vacation_memory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/ascii.h"
#include "managesieve/script_store.h"

namespace courriel::lmtp {
namespace {

constexpr int64_t kDay = 86400;

// An open, flocked memory file; closed (and unlocked) on every path out.
class LockedFile {
 public:
  LockedFile(const std::filesystem::path& path, bool write) {
    fd_ = ::open(path.c_str(), (write ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0600);
    if (fd_ >= 0 && ::flock(fd_, write ? LOCK_EX : LOCK_SH) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~LockedFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  LockedFile(const LockedFile&) = delete;
  LockedFile& operator=(const LockedFile&) = delete;
  bool ok() const { return fd_ >= 0; }

  Result<std::string> read_all() const {
    std::string text;
    char buf[8192];
    for (off_t off = 0;;) {
      ssize_t n = ::pread(fd_, buf, sizeof buf, off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Errc::internal, std::string("read: ") + std::strerror(errno));
      if (n == 0) return text;
      text.append(buf, size_t(n));
      off += n;
    }
  }

  Status replace(std::string_view text) {
    if (::ftruncate(fd_, 0) != 0) return make_error(Errc::internal, std::string("truncate: ") + std::strerror(errno));
    for (off_t off = 0; !text.empty();) {
      ssize_t n = ::pwrite(fd_, text.data(), text.size(), off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Errc::internal, std::string("write: ") + std::strerror(errno));
      text.remove_prefix(size_t(n));
      off += n;
    }
    return {};
  }

 private:
  int fd_ = -1;
};

Error open_error(const std::filesystem::path& path) {
  return make_error(Errc::internal, "cannot open " + path.string() + ": " + std::strerror(errno));
}

// The live entries, without `key`, at most kMaxVacationEntries - 1 of them
// (the latest expiries), so that one more fits.
std::vector<VacationEntry> live_without(std::string_view text, std::string_view key, int64_t now) {
  std::vector<VacationEntry> entries = parse_vacation_memory(text);
  std::erase_if(entries, [&](const VacationEntry& e) { return e.expires <= now || e.key == key; });
  if (entries.size() >= kMaxVacationEntries) {
    std::sort(entries.begin(), entries.end(),
              [](const VacationEntry& a, const VacationEntry& b) { return a.expires > b.expires; });
    entries.resize(kMaxVacationEntries - 1);
  }
  return entries;
}

}  // namespace

std::vector<VacationEntry> parse_vacation_memory(std::string_view text) {
  std::vector<VacationEntry> out;
  while (!text.empty()) {
    size_t lf = text.find('\n');
    std::string_view line = text.substr(0, lf);
    text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp + 1 == line.size()) continue;
    auto expires = ascii::parse_u64(line.substr(0, sp), uint64_t(INT64_MAX));
    if (!expires) continue;
    out.push_back(VacationEntry{int64_t(*expires), std::string(line.substr(sp + 1))});
  }
  return out;
}

std::string format_vacation_memory(const std::vector<VacationEntry>& entries) {
  std::string out;
  for (const VacationEntry& e : entries) {
    if (e.key.empty() || e.key.find('\n') != std::string::npos || e.expires < 0) continue;
    out += std::to_string(e.expires) + " " + e.key + "\n";
  }
  return out;
}

std::filesystem::path VacationMemory::file_for(const std::filesystem::path& data_dir, std::string_view user) {
  return managesieve::ScriptStore::dir_for(data_dir, user) / ".vacation";
}

bool VacationMemory::seen(std::string_view key, int64_t now) const {
  LockedFile f(file_, false);
  if (!f.ok()) return false;
  auto text = f.read_all();
  if (!text) return false;
  for (const VacationEntry& e : parse_vacation_memory(*text))
    if (e.key == key && e.expires > now) return true;
  return false;
}

Result<bool> VacationMemory::claim(std::string_view key, int64_t days, int64_t now) {
  std::error_code ec;
  std::filesystem::create_directories(file_.parent_path(), ec);
  LockedFile f(file_, true);
  if (!f.ok()) return open_error(file_);
  auto text = f.read_all();
  if (!text) return text.error();
  for (const VacationEntry& e : parse_vacation_memory(*text))
    if (e.key == key && e.expires > now) return false;
  std::vector<VacationEntry> entries = live_without(*text, key, now);
  entries.push_back(VacationEntry{now + std::max<int64_t>(days, 0) * kDay, std::string(key)});
  if (Status s = f.replace(format_vacation_memory(entries)); !s) return s.error();
  return true;
}

Status VacationMemory::forget(std::string_view key) {
  LockedFile f(file_, true);
  if (!f.ok()) return open_error(file_);
  auto text = f.read_all();
  if (!text) return text.error();
  return f.replace(format_vacation_memory(live_without(*text, key, INT64_MIN)));
}

}  // namespace courriel::lmtp
