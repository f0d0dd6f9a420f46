#include "auth/user_db.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace courriel::auth {
namespace {

namespace fs = std::filesystem;

// "pencil", made with: openssl passwd -6 -salt saltsaltsalt pencil
constexpr std::string_view kSha512Pencil =
    "$6$saltsaltsalt$1p71ZRBOC3fXUBnnH4cxkg7kwgG5dMf7PmATOemaeRPogZQp0alFu0ShBACKlf.zWcMDKkwKm7SJ7D"
    "B813KpO.";

class UserDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "courriel-userdb-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path users() const { return dir_ / "users"; }
  std::string read_users() const {
    std::ifstream in(users());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Replaces the file the way an editor or another tool would.
  void write_users(std::string_view content, mode_t mode = 0600) const {
    fs::path tmp = dir_ / "users.edit";
    std::ofstream(tmp) << content;
    ASSERT_EQ(::chmod(tmp.c_str(), mode), 0);
    fs::rename(tmp, users());
  }
  mode_t users_mode() const {
    struct stat st;
    EXPECT_EQ(::stat(users().c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  fs::path dir_;
};

TEST_F(UserDbTest, AddFindListVerify) {
  UserDb db(dir_, "Example.ORG");
  EXPECT_TRUE(db.list().ok());
  EXPECT_TRUE(db.list()->empty());  // no file yet: an empty database

  ASSERT_TRUE(db.add("Alice", "s3cret").ok());
  ASSERT_TRUE(db.add("bob@other.test", "hunter2").ok());
  EXPECT_EQ(users_mode(), 0600u);
  const std::string file = read_users();
  EXPECT_EQ(file.rfind("# courriel users\nalice@example.org:$argon2id$v=19$m=19456,t=2,p=1$", 0),
            0u)
      << file;
  EXPECT_NE(file.find(":SCRAM-SHA-256:10000:"), std::string::npos);
  EXPECT_EQ(file.find("s3cret"), std::string::npos);

  auto names = db.list();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"alice@example.org", "bob@other.test"}));

  auto rec = db.find("ALICE@example.org");
  ASSERT_TRUE(rec.ok()) << rec.error().detail;
  EXPECT_EQ(rec->name.full(), "alice@example.org");
  EXPECT_EQ(rec->scram.iterations, kScramDefaultIterations);
  // The stored SCRAM keys are the ones the password derives.
  EXPECT_EQ(rec->scram, derive_scram_credentials("s3cret", rec->scram.salt, rec->scram.iterations));

  EXPECT_EQ(db.find("carol").code(), Errc::not_found);
  EXPECT_EQ(db.find("../x").code(), Errc::invalid);

  auto ok = db.verify("alice", "s3cret");
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  EXPECT_EQ(ok->name.local, "alice");
  EXPECT_EQ(db.verify("alice", "wrong").code(), Errc::auth_failed);
  EXPECT_EQ(db.verify("carol", "s3cret").code(), Errc::auth_failed);  // unknown user
  EXPECT_EQ(db.verify("../x", "s3cret").code(), Errc::auth_failed);
  EXPECT_EQ(db.verify("alice", "").code(), Errc::auth_failed);
}

TEST_F(UserDbTest, AddRejections) {
  UserDb db(dir_, "example.org");
  ASSERT_TRUE(db.add("alice", "pw").ok());
  EXPECT_EQ(db.add("Alice@Example.org", "pw2").code(), Errc::already_exists);
  EXPECT_EQ(db.add("a/b", "pw").code(), Errc::invalid);
  EXPECT_EQ(db.add("a+b", "pw").code(), Errc::invalid);
  EXPECT_EQ(db.add("dave", "").code(), Errc::invalid);
  EXPECT_EQ(db.add("dave", std::string("a\0b", 3)).code(), Errc::invalid);
  EXPECT_EQ(db.add("dave", std::string(1025, 'x')).code(), Errc::invalid);
  auto st = db.add("dave", std::string(1025, 'x'));
  EXPECT_EQ(st.error().detail.find("xxxx"), std::string::npos);
  EXPECT_EQ(*db.list(), std::vector<std::string>{"alice@example.org"});
}

TEST_F(UserDbTest, RemoveAndSetPassword) {
  UserDb db(dir_, "example.org");
  ASSERT_TRUE(db.add("alice", "old").ok());
  ASSERT_TRUE(db.add("bob", "pw").ok());
  EXPECT_EQ(db.set_password("carol", "x").code(), Errc::not_found);
  EXPECT_EQ(db.set_password("alice", "").code(), Errc::invalid);
  ASSERT_TRUE(db.set_password("alice", "new").ok());
  EXPECT_EQ(db.verify("alice", "old").code(), Errc::auth_failed);
  EXPECT_TRUE(db.verify("alice", "new").ok());

  ASSERT_TRUE(db.remove("bob").ok());
  EXPECT_EQ(db.remove("bob").code(), Errc::not_found);
  EXPECT_EQ(db.remove("x/y").code(), Errc::invalid);
  EXPECT_EQ(db.find("bob").code(), Errc::not_found);
  EXPECT_EQ(*db.list(), std::vector<std::string>{"alice@example.org"});
}

TEST_F(UserDbTest, RemembersVerifiedLoginsUntilTheyChange) {
  UserDb db(dir_, "example.org");
  ASSERT_TRUE(db.add("alice", "s3cret").ok());
  ASSERT_TRUE(db.add("bob", "pw").ok());
  // Off by default: every login checks the hash.
  EXPECT_TRUE(db.verify("alice", "s3cret").ok());
  EXPECT_TRUE(db.verify("alice", "s3cret").ok());
  EXPECT_EQ(db.hash_checks(), 2u);

  db.remember_logins(std::chrono::hours(1));
  EXPECT_TRUE(db.verify("alice", "s3cret").ok());
  EXPECT_EQ(db.hash_checks(), 3u);
  auto again = db.verify("Alice@Example.org", "s3cret");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->name.full(), "alice@example.org");
  EXPECT_EQ(db.hash_checks(), 3u);  // remembered
  // A wrong password is checked, refused, and does not evict the good one.
  EXPECT_EQ(db.verify("alice", "s3cre").code(), Errc::auth_failed);
  EXPECT_EQ(db.hash_checks(), 4u);
  EXPECT_TRUE(db.verify("alice", "s3cret").ok());
  EXPECT_EQ(db.hash_checks(), 4u);
  // Another user is remembered separately.
  EXPECT_TRUE(db.verify("bob", "pw").ok());
  EXPECT_EQ(db.verify("bob", "s3cret").code(), Errc::auth_failed);
  EXPECT_EQ(db.hash_checks(), 6u);
  // A new password: the old one is refused at once, through another writer too.
  UserDb admin(dir_, "example.org");
  ASSERT_TRUE(admin.set_password("alice", "n3w").ok());
  EXPECT_EQ(db.verify("alice", "s3cret").code(), Errc::auth_failed);
  EXPECT_TRUE(db.verify("alice", "n3w").ok());
  EXPECT_TRUE(db.verify("alice", "n3w").ok());
  EXPECT_EQ(db.hash_checks(), 8u);
  // A removed user is refused.
  ASSERT_TRUE(admin.remove("alice").ok());
  EXPECT_EQ(db.verify("alice", "n3w").code(), Errc::auth_failed);
  // Entries expire.
  db.remember_logins(std::chrono::milliseconds(30));
  EXPECT_TRUE(db.verify("bob", "pw").ok());
  EXPECT_TRUE(db.verify("bob", "pw").ok());
  uint64_t checks = db.hash_checks();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_TRUE(db.verify("bob", "pw").ok());
  EXPECT_EQ(db.hash_checks(), checks + 1);
}

TEST_F(UserDbTest, ConcurrentAddsLoseNothing) {
  // Two instances stand for two processes (the daemon and `courriel user add`).
  UserDb a(dir_, "example.org"), b(dir_, "example.org");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      UserDb& db = t % 2 ? a : b;
      for (int i = 0; i < 2; ++i) {
        std::string name = "u";  // appended: g++ 12 -O3 warns falsely on "u" + to_string
        name.append(std::to_string(t)).append("-").append(std::to_string(i));
        EXPECT_TRUE(db.add(name, "pw").ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto names = a.list();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->size(), 16u);
  EXPECT_EQ(b.list()->size(), 16u);
  EXPECT_FALSE(fs::exists(dir_ / "users.tmp"));
}

TEST_F(UserDbTest, ReloadsAfterExternalChange) {
  UserDb server(dir_, "example.org");
  UserDb admin(dir_, "example.org");
  EXPECT_EQ(server.find("alice").code(), Errc::not_found);  // cached: no file
  ASSERT_TRUE(admin.add("alice", "pw").ok());
  EXPECT_TRUE(server.find("alice").ok());

  // An edit by hand (or by an importer): a crypt(3) hash, no SCRAM credentials.
  std::string content =
      read_users() + "# imported\nbob@example.org:" + std::string(kSha512Pencil) + ":\n";
  write_users(content);
  auto bob = server.find("bob");
  ASSERT_TRUE(bob.ok()) << bob.error().detail;
  EXPECT_EQ(bob->scram.iterations, 0u);
  EXPECT_TRUE(server.verify("bob", "pencil").ok());
  EXPECT_EQ(server.verify("bob", "pencil2").code(), Errc::auth_failed);

  // Writers keep the comment and the imported line as they are.
  ASSERT_TRUE(admin.add("carol", "pw").ok());
  const std::string after = read_users();
  EXPECT_NE(after.find("# imported\nbob@example.org:" + std::string(kSha512Pencil) + ":\n"),
            std::string::npos);
  EXPECT_EQ(*server.list(), (std::vector<std::string>{"alice@example.org", "bob@example.org",
                                                      "carol@example.org"}));

  ASSERT_TRUE(admin.remove("alice").ok());
  EXPECT_EQ(server.find("alice").code(), Errc::not_found);
}

TEST_F(UserDbTest, MalformedLinesAreReported) {
  UserDb db(dir_, "example.org");
  const std::string secret_line = "garbage-with-secret-$6$abc";
  const std::string good = "bob@example.org:" + std::string(kSha512Pencil) + ":";
  const std::string key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  struct Case {
    std::string bad_line;
  } cases[] = {
      {secret_line},
      {"Bob@example.org:$6$x:"},  // not canonical
      {"b/b@example.org:$6$x:"},
      {"carol@example.org::"},
      {"carol@example.org:plaintext:"},
      {"carol@example.org:$6$x:SCRAM-SHA-256:0:c2FsdA==:" + key + ":" + key},
      {"carol@example.org:$6$x:SCRAM-SHA-256:4096:c2FsdA==:" + key},
      {good},  // duplicate
  };
  for (const auto& c : cases) {
    write_users("# courriel users\n" + good + "\n\n" + c.bad_line + "\n");
    auto r = db.find("bob");
    ASSERT_FALSE(r.ok()) << c.bad_line;
    EXPECT_EQ(r.code(), Errc::internal);
    EXPECT_NE(r.error().detail.find("line 4"), std::string::npos) << r.error().detail;
    EXPECT_EQ(r.error().detail.find("secret"), std::string::npos);
    EXPECT_EQ(db.list().code(), Errc::internal);
    EXPECT_EQ(db.verify("bob", "pencil").code(), Errc::internal);
    // Writers refuse to rewrite a file they cannot understand.
    EXPECT_EQ(db.remove("bob").code(), Errc::internal);
  }
  write_users("# courriel users\n" + good + "\n");
  EXPECT_TRUE(db.find("bob").ok());  // fixed by hand: works again
}

TEST_F(UserDbTest, PermissionsAreChecked) {
  UserDb db(dir_, "example.org");
  const std::string content =
      "# courriel users\nbob@example.org:" + std::string(kSha512Pencil) + ":\n";
  for (mode_t bad : {0644, 0660, 0604, 0666}) {
    write_users(content, bad);
    auto r = db.find("bob");
    ASSERT_FALSE(r.ok()) << std::oct << bad;
    EXPECT_EQ(r.code(), Errc::internal);
    EXPECT_NE(r.error().detail.find("mode"), std::string::npos);
  }
  // 0640 (root:courriel, read by the daemon's group) is fine and is kept.
  write_users(content, 0640);
  EXPECT_TRUE(db.find("bob").ok());
  ASSERT_TRUE(db.remove("bob").ok());
  EXPECT_EQ(users_mode(), 0640u);
}

TEST_F(UserDbTest, MissingDataDirIsAnError) {
  UserDb db(dir_ / "absent", "example.org");
  auto st = db.add("alice", "pw");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Errc::internal);
  EXPECT_TRUE(db.list().ok());  // nothing to read: no users
}

}  // namespace
}  // namespace courriel::auth
