#include "lmtp/delivery.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "lmtp/spool.h"

using namespace courriel;
using namespace courriel::lmtp;

namespace {

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "lmtp-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    users_ = std::make_unique<auth::UserDb>(dir_, "example.org");
    ASSERT_TRUE(users_->add("bob", "secret-password"));
    store::StoreSettings settings;
    settings.data_dir = dir_;
    settings.fsync = false;
    store_ = store::make_maildir_store(settings);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string read_stored(const std::string& mailbox, uint32_t uid) {
    auto account = *store_->open("bob@example.org");
    auto file = account->open_message(*account->lookup(mailbox), uid);
    EXPECT_TRUE(file);
    std::string out((*file)->size(), '\0');
    EXPECT_TRUE((*file)->read(0, out));
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<auth::UserDb> users_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace

TEST_F(DeliveryTest, ResolvesRecipients) {
  DeliveryOptions options;
  auto r = resolve_recipient(*users_, "Bob+Lists@Example.org", options);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->user, "bob@example.org");
  EXPECT_EQ(r->detail, "Lists");
  EXPECT_EQ(r->address, "Bob+Lists@Example.org");
  r = resolve_recipient(*users_, "bob", options);  // the default domain
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user, "bob@example.org");
  EXPECT_EQ(resolve_recipient(*users_, "alice@example.org", options).code(), Errc::not_found);
  EXPECT_FALSE(resolve_recipient(*users_, "../etc@example.org", options));
  options.recipient_delimiter = "";
  EXPECT_FALSE(resolve_recipient(*users_, "bob+x@example.org", options));  // user+x is nobody
}

TEST_F(DeliveryTest, DeliversWithTraceFieldsToDetailFolderOrInbox) {
  auto spool = SpoolFile::create(dir_ / "spool");
  ASSERT_TRUE(spool);
  const std::string body = "Subject: t\r\n\r\nhello\r\n";
  ASSERT_TRUE((*spool)->write(body));
  DeliveryOptions options;
  auto to_sent = resolve_recipient(*users_, "bob+Sent@example.org", options);
  ASSERT_TRUE(to_sent);
  auto result = deliver_message(*store_, (*spool)->path(), {"a@example.net", *to_sent}, options);
  ASSERT_TRUE(result) << result.error().detail;
  ASSERT_EQ(result->stored.size(), 1u);
  EXPECT_EQ(result->stored[0].mailbox, "Sent");
  EXPECT_EQ(read_stored("Sent", result->stored[0].uid),
            "Return-Path: <a@example.net>\r\nDelivered-To: bob+Sent@example.org\r\n" + body);
  EXPECT_EQ(result->stored[0].size, read_stored("Sent", result->stored[0].uid).size());

  auto to_missing = resolve_recipient(*users_, "bob+nosuch@example.org", options);
  result = deliver_message(*store_, (*spool)->path(), {"", *to_missing}, options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->stored[0].mailbox, "INBOX");
  EXPECT_EQ(read_stored("INBOX", result->stored[0].uid).substr(0, 17), "Return-Path: <>\r\n");

  options.detail_to_folder = false;
  result = deliver_message(*store_, (*spool)->path(), {"", *to_sent}, options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->stored[0].mailbox, "INBOX");
}

TEST_F(DeliveryTest, SpoolFileIsRemoved) {
  std::filesystem::path path;
  {
    auto spool = SpoolFile::create(dir_ / "spool");
    ASSERT_TRUE(spool);
    path = (*spool)->path();
    ASSERT_TRUE((*spool)->write("x"));
    EXPECT_EQ((*spool)->size(), 1u);
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}
