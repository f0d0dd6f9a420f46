// Config: the server's settings, from one TOML file (courriel.example.toml
// documents every key) or, with no file, the embedded default. Command-line
// flags are applied on top by main.
//
// Loading is strict: an unknown section or key, or a value of the wrong type
// or out of range, is an error naming the key, and the server does not start.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/listen_address.h"

namespace courriel::app {

enum class CleartextPolicy { never, loopback, always };

struct Config {
  // [server]
  std::filesystem::path data_dir = "courriel-data";
  unsigned threads = 0;  // 0: one per core
  std::string log_level = "info";
  std::filesystem::path pid_file;
  std::string hostname = "localhost";
  // [imap]
  std::optional<net::ListenAddress> imap = net::ListenAddress{"127.0.0.1", 1143};
  std::optional<net::ListenAddress> imaps = net::ListenAddress{"127.0.0.1", 1993};
  size_t max_line_length = 64 * 1024;
  size_t max_literal_size = 64 * 1024;
  uint64_t max_message_size = 100ull << 20;
  std::chrono::seconds unauthenticated_timeout{60};
  std::chrono::seconds idle_timeout{30 * 60};
  // [lmtp] (RFC 2033). Off by default: LMTP has no authentication, so the
  // administrator chooses who may reach it (loopback port or Unix socket).
  std::optional<net::ListenAddress> lmtp;
  std::string recipient_delimiter = "+";
  bool detail_to_folder = true;
  uint64_t lmtp_max_message_size = 100ull << 20;
  // Over quota: 552 5.2.2 (bounce) instead of 452 4.2.2 (the MTA retries).
  bool quota_full_permanent = false;
  // [delivery]: the SMTP relay (host:port or unix:/path) for Sieve redirect
  // and vacation replies; nullopt ("" or "off"): none, redirect keeps the
  // message and vacation sends nothing.
  std::optional<net::ListenAddress> smtp_relay;
  // [managesieve] (RFC 5804): Sieve script upload, on loopback by default.
  std::optional<net::ListenAddress> managesieve = net::ListenAddress{"127.0.0.1", 4190};
  uint64_t max_script_size = 1 << 20;  // bytes per script
  unsigned max_scripts = 64;           // scripts per user
  // [tls]
  std::filesystem::path cert_file;  // empty: <data_dir>/tls/cert.pem, generated
  std::filesystem::path key_file;   // empty: <data_dir>/tls/key.pem, generated
  // [auth]
  CleartextPolicy cleartext = CleartextPolicy::loopback;
  std::string default_domain = "localhost";
  bool create_demo_user = true;
  std::chrono::milliseconds failure_delay{500};
  std::chrono::milliseconds failure_delay_max{15000};
  unsigned max_failures_per_connection = 5;
  // How long a verified password is remembered (UserDb::remember_logins); 0: off.
  std::chrono::seconds login_cache_ttl{3600};
  // [quota] (RFC 9208) limits of accounts without their own (`courriel quota
  // set`); 0 = unlimited.
  uint64_t default_storage_limit = 0;  // bytes
  uint64_t default_message_limit = 0;

  // Where the certificate and key are, and whether they may be generated
  // (only at the default location under the data dir).
  std::filesystem::path effective_cert_file() const;
  std::filesystem::path effective_key_file() const;
  bool tls_generated() const { return cert_file.empty() && key_file.empty(); }
};

// Parses TOML text; `origin` names the file in error messages.
Result<Config> parse_config(std::string_view toml_text, std::string_view origin);
// Reads and parses a file; an unreadable file is an error.
Result<Config> load_config_file(const std::filesystem::path& path);

}  // namespace courriel::app
