#include "app/serve.h"

#include "app/data_dir.h"
#include "app/store_settings.h"

#include <fcntl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/thread_pool.hpp>
#include <fstream>
#include <iostream>

#include "auth/crypto.h"
#include "auth/login_throttle.h"
#include "auth/user_db.h"
#include "imap/session.h"
#include "lmtp/session.h"
#include "managesieve/session.h"
#include "net/server.h"
#include "net/tls_context.h"
#include "store/store.h"

namespace courriel::app {
namespace {

constexpr int kExitUsage = 64;     // sysexits.h EX_USAGE
constexpr int kExitSoftware = 70;  // EX_SOFTWARE
constexpr int kExitConfig = 78;    // EX_CONFIG

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("courriel");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

Status apply_listen_flag(const std::string& flag, const char* name,
                         std::optional<net::ListenAddress>& field) {
  if (flag.empty()) return {};
  auto parsed = net::parse_listen_address(flag);
  if (!parsed) return make_error(Errc::invalid, std::string(name) + ": " + parsed.error().detail);
  field = *parsed;
  return {};
}

// The per-installation secret behind fake SCRAM salts for unknown users: kept
// in the data dir so that the same unknown name gets the same salt after a
// restart (a changing salt would reveal that the user does not exist).
Result<std::string> load_or_make_secret(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (secret.size() == 32) return secret;
  secret = auth::crypto::random_bytes(32);
  std::filesystem::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ::write(fd, secret.data(), secret.size()) != ssize_t(secret.size()) ||
      ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return make_error(Errc::internal, "cannot write " + tmp.string());
  }
  ::close(fd);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return make_error(Errc::internal, "cannot rename " + tmp.string() + ": " + ec.message());
  return secret;
}

imap::Cleartext to_imap(CleartextPolicy p) {
  switch (p) {
    case CleartextPolicy::never: return imap::Cleartext::never;
    case CleartextPolicy::loopback: return imap::Cleartext::loopback;
    case CleartextPolicy::always: return imap::Cleartext::always;
  }
  return imap::Cleartext::never;
}

managesieve::Cleartext to_managesieve(CleartextPolicy p) {
  switch (p) {
    case CleartextPolicy::never: return managesieve::Cleartext::never;
    case CleartextPolicy::loopback: return managesieve::Cleartext::loopback;
    case CleartextPolicy::always: return managesieve::Cleartext::always;
  }
  return managesieve::Cleartext::never;
}

}  // namespace

int serve(Config config, const ServeFlags& flags) {
  setup_logging(config.log_level);
  for (auto s : {apply_listen_flag(flags.imap, "--imap", config.imap),
                 apply_listen_flag(flags.imaps, "--imaps", config.imaps),
                 apply_listen_flag(flags.lmtp, "--lmtp", config.lmtp),
                 apply_listen_flag(flags.sieve, "--sieve", config.managesieve)})
    if (!s) {
      spdlog::critical("{}", s.error().detail);
      return kExitUsage;
    }
  if (!flags.pid_file.empty()) config.pid_file = flags.pid_file;

  if (Status made = ensure_data_dir(config.data_dir); !made) {
    spdlog::critical("{}", made.error().detail);
    return kExitConfig;
  }

  auth::UserDb users(config.data_dir, config.default_domain);
  users.remember_logins(config.login_cache_ttl);
  if (config.create_demo_user) {
    auto names = users.list();
    if (!names) {
      spdlog::critical("user database: {}", names.error().detail);
      return kExitConfig;
    }
    if (names->empty()) {
      if (auto s = users.add("demo", "demo"); !s) {
        spdlog::critical("cannot create the demo user: {}", s.error().detail);
        return kExitSoftware;
      }
      spdlog::warn("created user demo (password demo): set auth.create_demo_user = false "
                   "and remove it on a real server");
    }
  }

  auto tls = net::make_server_tls_context(net::TlsSettings{
      config.effective_cert_file(), config.effective_key_file(), config.tls_generated(),
      config.hostname});
  if (!tls) {
    spdlog::critical("{}", tls.error().detail);
    return kExitConfig;
  }
  auto secret = load_or_make_secret(config.data_dir / "scram-secret");
  if (!secret) {
    spdlog::critical("{}", secret.error().detail);
    return kExitConfig;
  }

  auto store = store::make_maildir_store(store_settings(config));
  // Store calls (fsync, scans) and password hashing wait here, not on the event loop.
  asio::thread_pool blocking(std::max(4u, 2 * std::thread::hardware_concurrency()));
  auth::LoginThrottle throttle(config.failure_delay, config.failure_delay_max);
  imap::ImapServices services{
      .settings =
          imap::ImapSettings{
              .limits = {.max_line = config.max_line_length,
                         .max_literal = config.max_literal_size},
              .unauthenticated_timeout = config.unauthenticated_timeout,
              .idle_timeout = config.idle_timeout,
              .cleartext = to_imap(config.cleartext),
              .max_auth_failures = config.max_failures_per_connection,
              .max_message_size = config.max_message_size,
          },
      .users = users,
      .throttle = throttle,
      .store = *store,
      .blocking = blocking,
      .tls = *tls,
      .scram_secret = *secret,
  };

  lmtp::Delivery delivery(*store, delivery_options(config), delivery_mailer(config));
  lmtp::LmtpServices lmtp_services{
      .settings =
          lmtp::LmtpSettings{
              .hostname = config.hostname,
              .max_message_size = config.lmtp_max_message_size,
          },
      .users = users,
      .delivery = delivery,
      .blocking = blocking,
      .spool_dir = config.data_dir / "spool",
  };

  managesieve::Services sieve_services{
      .settings =
          managesieve::Settings{
              // A literal is at most a script: a larger one is read, dropped and refused.
              .limits = {.max_line = 8 * 1024, .max_literal = size_t(config.max_script_size)},
              .scripts = {.max_script_size = config.max_script_size,
                          .max_scripts = config.max_scripts},
              .unauthenticated_timeout = config.unauthenticated_timeout,
              .idle_timeout = config.idle_timeout,
              .cleartext = to_managesieve(config.cleartext),
              .max_auth_failures = config.max_failures_per_connection,
          },
      .users = users,
      .throttle = throttle,
      .blocking = blocking,
      .tls = *tls,
      .scram_secret = *secret,
      .data_dir = config.data_dir,
  };

  net::Server server(config.threads);
  std::string endpoints;
  auto add_listener = [&](const std::optional<net::ListenAddress>& addr, const char* name,
                          bool implicit_tls) -> Status {
    if (!addr) return {};
    auto handler = [&services, implicit_tls](net::Transport& t) -> asio::awaitable<void> {
      imap::Session session(services, t, implicit_tls);
      co_await session.run();
    };
    if (auto s = server.listen(*addr, name, handler); !s) return s;
    endpoints += std::string(endpoints.empty() ? "" : " ") + name + "=" + addr->to_string();
    return {};
  };
  auto add_lmtp_listener = [&]() -> Status {
    if (!config.lmtp) return {};
    auto handler = [&lmtp_services](net::Transport& t) -> asio::awaitable<void> {
      lmtp::Session session(lmtp_services, t);
      co_await session.run();
    };
    if (auto s = server.listen(*config.lmtp, "lmtp", handler); !s) return s;
    endpoints += std::string(endpoints.empty() ? "" : " ") + "lmtp=" + config.lmtp->to_string();
    return {};
  };
  auto add_sieve_listener = [&]() -> Status {
    if (!config.managesieve) return {};
    auto handler = [&sieve_services](net::Transport& t) -> asio::awaitable<void> {
      managesieve::Session session(sieve_services, t);
      co_await session.run();
    };
    if (auto s = server.listen(*config.managesieve, "managesieve", handler); !s) return s;
    endpoints += std::string(endpoints.empty() ? "" : " ") + "managesieve=" +
                 config.managesieve->to_string();
    return {};
  };
  for (auto s : {add_listener(config.imap, "imap", false), add_listener(config.imaps, "imaps", true),
                 add_lmtp_listener(), add_sieve_listener()})
    if (!s) {
      spdlog::critical("{}", s.error().detail);
      return kExitConfig;
    }
  if (endpoints.empty()) {
    spdlog::critical("no listener: every protocol is off");
    return kExitConfig;
  }

  server.stop_on_signals();
  server.run([&] {
    if (!config.pid_file.empty()) {
      std::ofstream(config.pid_file) << getpid() << "\n";
    }
    spdlog::info("ready: {} data={} threads={}", endpoints, config.data_dir.string(),
                 config.threads ? config.threads : std::thread::hardware_concurrency());
  });
  blocking.join();
  std::error_code ec;
  if (!config.pid_file.empty()) std::filesystem::remove(config.pid_file, ec);
  spdlog::info("stopped");
  return 0;
}

}  // namespace courriel::app
