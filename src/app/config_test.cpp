#include "app/config.h"

#include <gtest/gtest.h>

using namespace courriel;
using namespace courriel::app;

TEST(Config, EmptyFileIsTheEmbeddedDefault) {
  auto c = parse_config("", "t");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->data_dir, "courriel-data");
  ASSERT_TRUE(c->imap);
  EXPECT_EQ(c->imap->to_string(), "127.0.0.1:1143");
  EXPECT_EQ(c->imaps->to_string(), "127.0.0.1:1993");
  EXPECT_EQ(c->effective_cert_file(), "courriel-data/tls/cert.pem");
  EXPECT_TRUE(c->tls_generated());
}

// The example documents every key with its default: parsing it must give the defaults.
TEST(Config, ExampleFileMatchesDefaults) {
  auto c = load_config_file(std::string(COURRIEL_SOURCE_DIR) + "/courriel.example.toml");
  ASSERT_TRUE(c) << c.error().detail;
  Config d;
  EXPECT_EQ(c->data_dir, d.data_dir);
  EXPECT_EQ(c->threads, d.threads);
  EXPECT_EQ(c->log_level, d.log_level);
  EXPECT_EQ(c->imap->to_string(), d.imap->to_string());
  EXPECT_EQ(c->imaps->to_string(), d.imaps->to_string());
  EXPECT_EQ(c->max_line_length, d.max_line_length);
  EXPECT_EQ(c->max_literal_size, d.max_literal_size);
  EXPECT_EQ(c->max_message_size, d.max_message_size);
  EXPECT_EQ(c->unauthenticated_timeout, d.unauthenticated_timeout);
  EXPECT_EQ(c->idle_timeout, d.idle_timeout);
  EXPECT_EQ(c->cleartext, d.cleartext);
  EXPECT_EQ(c->default_domain, d.default_domain);
  EXPECT_EQ(c->create_demo_user, d.create_demo_user);
  EXPECT_EQ(c->failure_delay, d.failure_delay);
  EXPECT_EQ(c->failure_delay_max, d.failure_delay_max);
  EXPECT_EQ(c->max_failures_per_connection, d.max_failures_per_connection);
  EXPECT_EQ(c->login_cache_ttl, d.login_cache_ttl);
  EXPECT_EQ(c->lmtp.has_value(), d.lmtp.has_value());
  EXPECT_EQ(c->recipient_delimiter, d.recipient_delimiter);
  EXPECT_EQ(c->detail_to_folder, d.detail_to_folder);
  EXPECT_EQ(c->lmtp_max_message_size, d.lmtp_max_message_size);
  EXPECT_EQ(c->quota_full_permanent, d.quota_full_permanent);
  EXPECT_EQ(c->smtp_relay.has_value(), d.smtp_relay.has_value());
  EXPECT_EQ(c->managesieve->to_string(), d.managesieve->to_string());
  EXPECT_EQ(c->max_script_size, d.max_script_size);
  EXPECT_EQ(c->max_scripts, d.max_scripts);
  EXPECT_EQ(c->default_storage_limit, d.default_storage_limit);
  EXPECT_EQ(c->default_message_limit, d.default_message_limit);
  EXPECT_TRUE(c->tls_generated());
}

TEST(Config, QuotaKeys) {
  auto c = parse_config("[quota]\ndefault_storage = 1048576\ndefault_messages = 1000\n", "t");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->default_storage_limit, 1048576u);
  EXPECT_EQ(c->default_message_limit, 1000u);
  EXPECT_FALSE(parse_config("[quota]\ndefault_storage = -1\n", "t"));
  EXPECT_FALSE(parse_config("[quota]\ndefault_bytes = 1\n", "t"));
}

TEST(Config, ManageSieveKeys) {
  auto c = parse_config("[managesieve]\nlisten = \"off\"\nmax_script_size = 4096\nmax_scripts = 3\n", "t");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_FALSE(c->managesieve);
  EXPECT_EQ(c->max_script_size, 4096u);
  EXPECT_EQ(c->max_scripts, 3u);
  EXPECT_FALSE(parse_config("[managesieve]\nmax_scripts = 0\n", "t"));
}

TEST(Config, LmtpKeys) {
  auto c = parse_config(
      "[lmtp]\nlisten = \"unix:/run/courriel/lmtp\"\nrecipient_delimiter = \"-\"\n"
      "detail_to_folder = false\nmax_message_size = 2048\n",
      "t");
  ASSERT_TRUE(c) << c.error().detail;
  ASSERT_TRUE(c->lmtp);
  EXPECT_EQ(c->lmtp->to_string(), "unix:/run/courriel/lmtp");
  EXPECT_EQ(c->recipient_delimiter, "-");
  EXPECT_FALSE(c->detail_to_folder);
  EXPECT_EQ(c->lmtp_max_message_size, 2048u);
  EXPECT_FALSE(parse_config("[lmtp]\nrecipient_delimiter = \"a@\"\n", "t"));
  EXPECT_FALSE(parse_config("[lmtp]\nlisten = \"unix:relative\"\n", "t"));
}

TEST(Config, DeliveryKeys) {
  auto c = parse_config("[lmtp]\nquota_full_permanent = true\n[delivery]\nsmtp_relay = \"127.0.0.1:25\"\n", "t");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_TRUE(c->quota_full_permanent);
  ASSERT_TRUE(c->smtp_relay);
  EXPECT_EQ(c->smtp_relay->to_string(), "127.0.0.1:25");
  c = parse_config("[delivery]\nsmtp_relay = \"unix:/var/spool/postfix/public/smtp\"\n", "t");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_TRUE(c->smtp_relay->is_unix());
  for (const char* off : {"", "off"}) {
    c = parse_config(std::string("[delivery]\nsmtp_relay = \"") + off + "\"\n", "t");
    ASSERT_TRUE(c) << c.error().detail;
    EXPECT_FALSE(c->smtp_relay);
  }
  EXPECT_FALSE(parse_config("[delivery]\nsmtp_relay = \"mail.example.org:25\"\n", "t"));
  EXPECT_FALSE(parse_config("[lmtp]\nquota_full_permanent = \"yes\"\n", "t"));
}

TEST(Config, OverridesApply) {
  auto c = parse_config(
      "[server]\ndata_dir = \"/srv/mail\"\nthreads = 3\n[imap]\nlisten = \"off\"\n"
      "listen_tls = \"[::1]:993\"\n[auth]\ncleartext = \"never\"\n[tls]\ncert_file = \"/c.pem\"\n",
      "t");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->data_dir, "/srv/mail");
  EXPECT_EQ(c->threads, 3u);
  EXPECT_FALSE(c->imap);
  EXPECT_EQ(c->imaps->to_string(), "[::1]:993");
  EXPECT_EQ(c->cleartext, CleartextPolicy::never);
  EXPECT_FALSE(c->tls_generated());
}

TEST(Config, ErrorsNameTheKey) {
  struct Case {
    const char* text;
    const char* expect;
  } cases[] = {
      {"[server]\ndatadir = \"x\"\n", "unknown key server.datadir"},
      {"[srv]\n", "unknown section [srv]"},
      {"[server]\nthreads = \"two\"\n", "server.threads must be an integer"},
      {"[server]\nthreads = -1\n", "server.threads must be between"},
      {"[imap]\nlisten = \"localhost:143\"\n", "imap.listen"},
      {"[imap]\nidle_timeout = 60\n", "imap.idle_timeout must be between 1800"},
      {"[auth]\ncleartext = \"sometimes\"\n", "auth.cleartext must be one of"},
      {"[auth]\ncreate_demo_user = 1\n", "auth.create_demo_user must be true or false"},
      {"server = 1\n", "'server' must be a section"},
      {"[server\n", "t:1:"},
      {"[auth]\nfailure_delay_ms = 1000\nfailure_delay_max_ms = 10\n", "failure_delay_max_ms"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.text, "t");
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().detail.find(c.expect), std::string::npos)
        << c.text << " -> " << r.error().detail;
  }
}
