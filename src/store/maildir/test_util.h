// Helpers shared by the Maildir store tests (not part of the library).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "store/maildir/maildir_store.h"
#include "store/store.h"

namespace courriel::store::testing {

// A fresh data dir per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    path_ = std::filesystem::temp_directory_path() /
            ("courriel-store-test-" + std::to_string(getpid()) + "-" + std::to_string(n++) + "-" +
             std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A snapshot with every message's metadata beside it (for checking flags,
// dates and sizes; SELECT itself needs only the UIDs).
struct FullSnapshot : MailboxSnapshot {
  std::vector<uint32_t> uids;  // uid_ranges, expanded
  std::vector<MessageMeta> messages;
};
inline Result<FullSnapshot> full_snapshot(Account& a, MailboxId mb, bool claim_recent = false) {
  auto s = a.snapshot(mb, claim_recent);
  if (!s) return s.error();
  auto uids = expand(s->uid_ranges);
  auto m = a.messages(mb, uids);
  if (!m) return m.error();
  FullSnapshot f;
  static_cast<MailboxSnapshot&>(f) = std::move(*s);
  f.uids = std::move(uids);
  f.messages = std::move(*m);
  return f;
}

inline NewMessage make_message(Account& acc, const std::string& text, Flags flags = {},
                               std::optional<int64_t> date = std::nullopt) {
  auto in = acc.begin_message();
  EXPECT_TRUE(in.ok());
  EXPECT_TRUE((*in)->write(text).ok());
  NewMessage m;
  m.body = std::move(*in);
  m.flags = std::move(flags);
  m.internal_date = date;
  return m;
}

inline uint32_t append_one(Account& acc, MailboxId mb, const std::string& text, Flags flags = {}) {
  std::vector<NewMessage> v;
  v.push_back(make_message(acc, text, std::move(flags)));
  auto r = acc.append(mb, std::move(v));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().detail);
  return r.ok() ? r->uids.at(0) : 0;
}

inline std::string read_all(Account& acc, MailboxId mb, uint32_t uid) {
  auto f = acc.open_message(mb, uid);
  if (!f.ok()) return "<" + f.error().detail + ">";
  std::string out;
  char buf[4096];
  uint64_t off = 0;
  while (true) {
    auto n = (*f)->read(off, buf);
    if (!n.ok() || *n == 0) break;
    out.append(buf, *n);
    off += *n;
  }
  return out;
}

inline void write_file(const std::filesystem::path& p, const std::string& content) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

}  // namespace courriel::store::testing
