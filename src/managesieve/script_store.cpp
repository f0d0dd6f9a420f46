#include "managesieve/script_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>

#include "base/utf8.h"
#include "sieve/sieve.h"

namespace courriel::managesieve {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSuffix = ".sieve";
constexpr const char* kActive = "active";

// An exclusive flock on <dir>/.lock for the writer's lifetime.
class DirLock {
 public:
  explicit DirLock(const fs::path& dir) {
    fd_ = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Status sync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return make_error(Errc::internal, "cannot open " + dir.string());
  ::fsync(fd);
  ::close(fd);
  return {};
}

std::string temp_name() {
  static std::atomic<unsigned> counter{0};
  return ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

Status ensure_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::internal, "cannot create " + dir.string() + ": " + ec.message());
  return {};
}

}  // namespace

Status validate_script_name(std::string_view name) {
  if (name.empty()) return make_error(Errc::invalid, "the script name is empty");
  if (name.size() > kMaxScriptName) return make_error(Errc::invalid, "the script name is too long");
  if (name == "." || name == "..") return make_error(Errc::invalid, "the script name is reserved");
  if (!valid_utf8(name)) return make_error(Errc::invalid, "the script name is not UTF-8");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return make_error(Errc::invalid, "control character in the script name");
    if (c == '/') return make_error(Errc::invalid, "'/' in the script name");
  }
  return {};
}

ScriptStore::ScriptStore(fs::path dir, ScriptLimits limits)
    : dir_(std::move(dir)), limits_(limits) {}

fs::path ScriptStore::dir_for(const fs::path& data_dir, std::string_view user) {
  auto at = user.rfind('@');
  std::string local(user.substr(0, at));
  std::string domain(at == std::string_view::npos ? "" : user.substr(at + 1));
  return data_dir / domain / local / "sieve";
}

fs::path ScriptStore::file(std::string_view name) const {
  return dir_ / (std::string(name) + std::string(kSuffix));
}

Result<std::string> ScriptStore::active_name() const {
  std::error_code ec;
  fs::path target = fs::read_symlink(dir_ / kActive, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return std::string();
    return make_error(Errc::internal, "cannot read " + (dir_ / kActive).string() + ": " + ec.message());
  }
  std::string t = target.filename().string();
  if (!t.ends_with(kSuffix)) return std::string();
  t.resize(t.size() - kSuffix.size());
  if (!fs::exists(file(t))) return std::string();  // a dangling link: none active
  return t;
}

Result<std::vector<ScriptInfo>> ScriptStore::list() const {
  std::vector<ScriptInfo> out;
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return out;
  auto active = active_name();
  if (!active) return active.error();
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string n = it->path().filename().string();
    if (n.starts_with('.') && n.starts_with(".tmp.")) continue;
    if (!n.ends_with(kSuffix) || it->is_symlink() || !it->is_regular_file()) continue;
    n.resize(n.size() - kSuffix.size());
    out.push_back(ScriptInfo{n, n == *active});
  }
  if (ec) return make_error(Errc::internal, "cannot list " + dir_.string() + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<std::string> ScriptStore::get(std::string_view name) const {
  if (auto v = validate_script_name(name); !v) return v.error();
  std::ifstream in(file(name), std::ios::binary);
  if (!in) return make_error(Errc::not_found, "no script " + std::string(name));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status ScriptStore::check(std::string_view text) {
  auto script = sieve::parse(text);
  if (!script) return script.error();
  return {};
}

Status ScriptStore::have_space(std::string_view name, uint64_t size) const {
  if (auto v = validate_script_name(name); !v) return v;
  if (size > limits_.max_script_size)
    return make_error(Errc::too_big, "scripts are limited to " +
                                         std::to_string(limits_.max_script_size) + " bytes");
  auto scripts = list();
  if (!scripts) return scripts.error();
  bool exists = std::any_of(scripts->begin(), scripts->end(),
                            [&](const ScriptInfo& s) { return s.name == name; });
  if (!exists && scripts->size() >= limits_.max_scripts)
    return make_error(Errc::over_quota,
                      "at most " + std::to_string(limits_.max_scripts) + " scripts");
  return {};
}

Status ScriptStore::put(std::string_view name, std::string_view text) {
  if (auto v = validate_script_name(name); !v) return v;
  if (auto c = check(text); !c) return c;
  if (auto s = ensure_dir(dir_); !s) return s;
  DirLock lock(dir_);
  if (auto s = have_space(name, text.size()); !s) return s;
  fs::path tmp = dir_ / temp_name();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::internal, "cannot create " + tmp.string());
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += size_t(n);
  }
  bool ok = done == text.size() && ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (ok) fs::rename(tmp, file(name), ec);
  if (!ok || ec) {
    fs::remove(tmp, ec);
    return make_error(Errc::internal, "cannot write " + file(name).string());
  }
  return sync_dir(dir_);
}

Status ScriptStore::set_active(std::string_view name) {
  std::error_code ec;
  if (name.empty()) {
    if (!fs::exists(dir_, ec)) return {};
    DirLock lock(dir_);
    fs::remove(dir_ / kActive, ec);
    if (ec) return make_error(Errc::internal, "cannot remove the active link: " + ec.message());
    return sync_dir(dir_);
  }
  if (auto v = validate_script_name(name); !v) return v;
  if (!fs::exists(dir_, ec)) return make_error(Errc::not_found, "no script " + std::string(name));
  DirLock lock(dir_);
  if (!fs::is_regular_file(file(name), ec))
    return make_error(Errc::not_found, "no script " + std::string(name));
  fs::path tmp = dir_ / temp_name();
  fs::create_symlink(file(name).filename(), tmp, ec);
  if (!ec) fs::rename(tmp, dir_ / kActive, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return make_error(Errc::internal, "cannot set the active link: " + ec.message());
  }
  return sync_dir(dir_);
}

Status ScriptStore::remove(std::string_view name) {
  if (auto v = validate_script_name(name); !v) return v;
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return make_error(Errc::not_found, "no script " + std::string(name));
  DirLock lock(dir_);
  auto active = active_name();
  if (!active) return active.error();
  if (!fs::is_regular_file(file(name), ec))
    return make_error(Errc::not_found, "no script " + std::string(name));
  if (*active == name) return make_error(Errc::permission_denied, "the script is active");
  fs::remove(file(name), ec);
  if (ec) return make_error(Errc::internal, "cannot remove: " + ec.message());
  return sync_dir(dir_);
}

Status ScriptStore::rename(std::string_view from, std::string_view to) {
  if (auto v = validate_script_name(from); !v) return v;
  if (auto v = validate_script_name(to); !v) return v;
  std::error_code ec;
  if (!fs::exists(dir_, ec)) return make_error(Errc::not_found, "no script " + std::string(from));
  DirLock lock(dir_);
  if (!fs::is_regular_file(file(from), ec))
    return make_error(Errc::not_found, "no script " + std::string(from));
  if (fs::exists(file(to), ec)) return make_error(Errc::already_exists, "script exists: " + std::string(to));
  auto active = active_name();
  if (!active) return active.error();
  fs::rename(file(from), file(to), ec);
  if (ec) return make_error(Errc::internal, "cannot rename: " + ec.message());
  if (*active == from) {
    fs::path tmp = dir_ / temp_name();
    fs::create_symlink(file(to).filename(), tmp, ec);
    if (!ec) fs::rename(tmp, dir_ / kActive, ec);
    if (ec) return make_error(Errc::internal, "cannot move the active link: " + ec.message());
  }
  return sync_dir(dir_);
}

std::optional<std::string> active_script(const fs::path& data_dir, const std::string& user) {
  ScriptStore store(ScriptStore::dir_for(data_dir, user));
  auto name = store.active_name();
  if (!name || name->empty()) return std::nullopt;
  auto text = store.get(*name);
  if (!text) return std::nullopt;
  return std::move(*text);
}

fs::path active_script_link(const fs::path& data_dir, std::string_view user) {
  return ScriptStore::dir_for(data_dir, user) / kActive;
}

}  // namespace courriel::managesieve
