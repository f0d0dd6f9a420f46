#include "auth/user_db.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "auth/crypto.h"
#include "auth/password_hash.h"

namespace courriel::auth {
namespace {

constexpr std::string_view kHeader = "# courriel users";

// Closes a file descriptor (and so releases its flock) on scope exit.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Error sys_error(std::string_view what, const std::filesystem::path& path) {
  return make_error(Errc::internal,
                    std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

Status check_password(std::string_view password) {
  if (password.empty()) return make_error(Errc::invalid, "empty password");
  if (password.size() > kMaxPasswordSize) {
    return make_error(Errc::invalid, "password longer than 1024 bytes");
  }
  if (password.find('\0') != std::string_view::npos) {
    return make_error(Errc::invalid, "password contains NUL");
  }
  return {};
}

std::string format_line(const UserName& name, std::string_view hash, const ScramCredentials& s) {
  std::string line = name.full();
  line += ':';
  line += hash;
  line += ':';
  if (s.iterations != 0) line += encode_scram_credentials(s);
  return line;
}

// A hash of the same cost as real ones, for verifying unknown users.
const std::string& dummy_hash() {
  static std::once_flag once;
  static std::string hash;
  std::call_once(once, [] { hash = hash_password("courriel: no such user"); });
  return hash;
}

Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(Errc::internal, std::string("write: ") + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

struct UserDb::Parsed {
  FileKey key;
  mode_t mode = 0600;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<std::string> lines;         // the file as it is, for writers
  std::map<std::string, size_t> line_of;  // full name -> index in lines
  std::map<std::string, UserRecord> users;
};

UserDb::UserDb(std::filesystem::path data_dir, std::string default_domain)
    : dir_(std::move(data_dir)),
      users_(dir_ / "users"),
      lock_(dir_ / "users.lock"),
      tmp_(dir_ / "users.tmp"),
      default_domain_(std::move(default_domain)) {}

UserDb::~UserDb() = default;

Result<std::shared_ptr<UserDb::Parsed>> UserDb::load() const {
  auto p = std::make_shared<Parsed>();
  UniqueFd fd(::open(users_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno != ENOENT) return sys_error("cannot open", users_);
    p->lines.emplace_back(kHeader);  // a new database
    return p;
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return sys_error("cannot stat", users_);
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::internal, users_.string() + " is not a regular file");
  }
  if (st.st_mode & 0027) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(Errc::internal, users_.string() + " has mode " + mode +
                                          " (group-writable or open to others); expected 0600");
  }
  p->key = FileKey{true, uint64_t(st.st_dev), uint64_t(st.st_ino), uint64_t(st.st_size),
                   int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  p->mode = st.st_mode & 0640;
  p->uid = st.st_uid;
  p->gid = st.st_gid;

  std::string content;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("cannot read", users_);
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }

  size_t start = 0;
  size_t number = 0;
  while (start < content.size()) {
    size_t nl = content.find('\n', start);
    if (nl == std::string::npos) nl = content.size();
    std::string_view line(content.data() + start, nl - start);
    start = nl + 1;
    ++number;
    p->lines.emplace_back(line);
    if (line.empty() || line.front() == '#') continue;

    // The details name the line, never its content: it holds secrets.
    auto bad = [&](std::string_view why) {
      return make_error(Errc::internal, users_.string() + " line " + std::to_string(number) + ": " +
                                            std::string(why));
    };
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return bad("expected name:hash:scram");
    std::string_view name = line.substr(0, c1);
    std::string_view hash = line.substr(c1 + 1, c2 - c1 - 1);
    std::string_view scram = line.substr(c2 + 1);
    auto parsed = parse_user_name(name, "");
    if (!parsed || parsed->full() != name) return bad("bad user name");
    if (hash.empty() || hash.front() != '$') return bad("bad password hash");
    UserRecord record{std::move(*parsed), std::string(hash), {}};
    if (!scram.empty()) {
      auto creds = decode_scram_credentials(scram);
      if (!creds) return bad("bad SCRAM credentials");
      record.scram = std::move(*creds);
    }
    std::string full(name);
    if (p->users.count(full)) return bad("duplicate user");
    p->line_of[full] = p->lines.size() - 1;
    p->users.emplace(std::move(full), std::move(record));
  }
  return p;
}

Result<std::shared_ptr<const UserDb::Parsed>> UserDb::snapshot() {
  std::lock_guard lock(mutex_);
  struct stat st;
  FileKey key;
  if (::stat(users_.c_str(), &st) == 0) {
    key = FileKey{true, uint64_t(st.st_dev), uint64_t(st.st_ino), uint64_t(st.st_size),
                  int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  } else if (errno != ENOENT) {
    return sys_error("cannot stat", users_);
  }
  if (cache_ && cache_->key == key) return cache_;
  // The key stored is the one of the file actually read (fstat in load), so a
  // replacement between the stat above and the open is seen on the next call.
  auto loaded = load();
  if (!loaded) return loaded.error();
  cache_ = std::move(*loaded);
  return cache_;
}

template <class Edit>
Status UserDb::modify(Edit edit) {
  UniqueFd lock(::open(lock_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (lock.get() < 0) return sys_error("cannot open", lock_);
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return sys_error("cannot lock", lock_);
  }
  auto loaded = load();
  if (!loaded) return loaded.error();
  Parsed& file = **loaded;
  if (Status st = edit(file); !st) return st;

  std::string content;
  for (const std::string& line : file.lines) {
    content += line;
    content += '\n';
  }
  UniqueFd out(::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (out.get() < 0) return sys_error("cannot create", tmp_);
  if (file.key.exists) {
    // Keep the owner (e.g. root:courriel 0640) when we may; not fatal otherwise.
    if (::fchown(out.get(), file.uid, file.gid) != 0) {
      // EPERM unless root: the file then belongs to whoever runs this.
    }
    if (::fchmod(out.get(), file.mode) != 0) return sys_error("cannot chmod", tmp_);
  }
  if (Status st = write_all(out.get(), content); !st) {
    return make_error(Errc::internal, tmp_.string() + ": " + st.error().detail);
  }
  if (::fsync(out.get()) != 0) return sys_error("cannot fsync", tmp_);
  if (::close(out.release()) != 0) return sys_error("cannot close", tmp_);
  if (::rename(tmp_.c_str(), users_.c_str()) != 0) return sys_error("cannot rename", tmp_);
  UniqueFd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) return sys_error("cannot fsync", dir_);

  std::lock_guard guard(mutex_);
  cache_.reset();  // our own change must be seen even if the stat key looks the same
  return {};
}

Status UserDb::add(std::string_view name, std::string_view password) {
  auto user = parse_user_name(name, default_domain_);
  if (!user) return user.error();
  if (Status st = check_password(password); !st) return st;
  const std::string full = user->full();
  // Fail fast before spending the hashing time (checked again under the lock).
  if (auto snap = snapshot(); snap && (*snap)->users.count(full)) {
    return make_error(Errc::already_exists, "user " + full + " already exists");
  }
  const std::string hash = hash_password(password);
  if (hash.empty()) return make_error(Errc::internal, "argon2id hashing failed");
  const ScramCredentials scram = make_scram_credentials(password);
  return modify([&](Parsed& file) -> Status {
    if (file.users.count(full)) {
      return make_error(Errc::already_exists, "user " + full + " already exists");
    }
    file.lines.push_back(format_line(*user, hash, scram));
    return {};
  });
}

Status UserDb::remove(std::string_view name) {
  auto user = parse_user_name(name, default_domain_);
  if (!user) return user.error();
  const std::string full = user->full();
  return modify([&](Parsed& file) -> Status {
    auto it = file.line_of.find(full);
    if (it == file.line_of.end()) return make_error(Errc::not_found, "no user " + full);
    file.lines.erase(file.lines.begin() + static_cast<std::ptrdiff_t>(it->second));
    return {};
  });
}

Status UserDb::set_password(std::string_view name, std::string_view password) {
  auto user = parse_user_name(name, default_domain_);
  if (!user) return user.error();
  if (Status st = check_password(password); !st) return st;
  const std::string full = user->full();
  if (auto snap = snapshot(); snap && !(*snap)->users.count(full)) {
    return make_error(Errc::not_found, "no user " + full);
  }
  const std::string hash = hash_password(password);
  if (hash.empty()) return make_error(Errc::internal, "argon2id hashing failed");
  const ScramCredentials scram = make_scram_credentials(password);
  return modify([&](Parsed& file) -> Status {
    auto it = file.line_of.find(full);
    if (it == file.line_of.end()) return make_error(Errc::not_found, "no user " + full);
    file.lines[it->second] = format_line(*user, hash, scram);
    return {};
  });
}

Result<std::vector<std::string>> UserDb::list() {
  auto snap = snapshot();
  if (!snap) return snap.error();
  std::vector<std::string> names;
  names.reserve((*snap)->users.size());
  for (const auto& [full, record] : (*snap)->users) names.push_back(full);
  return names;  // std::map keeps them sorted
}

Result<UserRecord> UserDb::find(std::string_view name) {
  auto user = parse_user_name(name, default_domain_);
  if (!user) return user.error();
  auto snap = snapshot();
  if (!snap) return snap.error();
  auto it = (*snap)->users.find(user->full());
  if (it == (*snap)->users.end()) return make_error(Errc::not_found, "no user " + user->full());
  return it->second;
}

Result<UserRecord> UserDb::verify(std::string_view name, std::string_view password) {
  auto user = parse_user_name(name, default_domain_);
  if (!user) return make_error(Errc::auth_failed, "invalid user name: " + user.error().detail);
  if (!check_password(password)) return make_error(Errc::auth_failed, "unacceptable password");
  std::optional<UserRecord> record;
  {
    auto snap = snapshot();
    if (!snap) return snap.error();
    auto it = (*snap)->users.find(user->full());
    if (it != (*snap)->users.end()) record = it->second;
  }
  if (!record) {
    (void)verify_password(dummy_hash(), password);
    return make_error(Errc::auth_failed, "no user " + user->full());
  }
  std::string mac;
  if (login_ttl_.count() > 0) {
    std::string seen = record->password_hash;
    seen += '\0';
    seen += password;
    mac = crypto::hmac_sha256(login_key_, seen);
    if (remembered(record->name.full(), mac)) return std::move(*record);
  }
  ++hash_checks_;
  if (!verify_password(record->password_hash, password)) {
    return make_error(Errc::auth_failed, "wrong password for " + record->name.full());
  }
  if (!mac.empty()) remember(record->name.full(), std::move(mac));
  return std::move(*record);
}

void UserDb::remember_logins(std::chrono::milliseconds ttl) {
  std::lock_guard lock(logins_mutex_);
  login_ttl_ = ttl;  // read unlocked by verify(): set before sharing
  if (login_key_.empty()) login_key_ = crypto::random_bytes(32);
  logins_.clear();
}

bool UserDb::remembered(const std::string& user, std::string_view mac) {
  std::lock_guard lock(logins_mutex_);
  auto it = logins_.find(user);
  if (it == logins_.end()) return false;
  if (std::chrono::steady_clock::now() >= it->second.until) {
    logins_.erase(it);
    return false;
  }
  return crypto::constant_time_equal(it->second.mac, mac);
}

void UserDb::remember(const std::string& user, std::string mac) {
  constexpr size_t kMaxRemembered = 10000;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(logins_mutex_);
  if (logins_.size() >= kMaxRemembered && !logins_.contains(user)) {
    std::erase_if(logins_, [&](const auto& entry) { return now >= entry.second.until; });
    if (logins_.size() >= kMaxRemembered) logins_.clear();
  }
  logins_[user] = Remembered{std::move(mac), now + login_ttl_};
}

}  // namespace courriel::auth
