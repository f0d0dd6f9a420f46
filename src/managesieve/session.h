// Session: one ManageSieve connection (RFC 5804): greeting with the
// capabilities, then a loop of framed commands (proto/command.h) run against
// the user's ScriptStore, with STARTTLS, AUTHENTICATE (PLAIN, SCRAM-SHA-256
// through auth/), a watchdog for idle connections and one log line per command.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "auth/login_throttle.h"
#include "auth/user_db.h"
#include "managesieve/proto/command.h"
#include "managesieve/script_store.h"
#include "net/transport.h"

namespace courriel::managesieve {

enum class Cleartext { never, loopback, always };

struct Settings {
  Limits limits;
  ScriptLimits scripts;
  std::chrono::seconds unauthenticated_timeout{60};
  std::chrono::seconds idle_timeout{30 * 60};
  Cleartext cleartext = Cleartext::loopback;  // AUTHENTICATE PLAIN without TLS
  unsigned max_auth_failures = 5;
  unsigned max_redirects = 4;
};

// Shared by every session; thread-safe members only.
struct Services {
  Settings settings;
  auth::UserDb& users;
  auth::LoginThrottle& throttle;
  asio::thread_pool& blocking;
  std::shared_ptr<asio::ssl::context> tls;
  std::string scram_secret;
  std::filesystem::path data_dir;
  std::atomic<uint64_t> next_session_id{1};
};

class Session {
 public:
  Session(Services& services, net::Transport& transport);
  asio::awaitable<void> run();

 private:
  enum class State { not_authenticated, authenticated, logout };
  asio::awaitable<void> serve();
  asio::awaitable<void> watchdog();
  // Reads until parse_command completes; nullopt when the session must end.
  asio::awaitable<std::optional<Command>> next(bool named);
  asio::awaitable<bool> flush();
  asio::awaitable<void> execute(const Command& cmd);
  asio::awaitable<void> authenticate(const Command& cmd);
  asio::awaitable<void> auth_failed();
  asio::awaitable<bool> log_in(const std::string& user);
  // Sends a SASL challenge and reads the client's decoded answer; nullopt
  // when the exchange ended (the response is already written).
  asio::awaitable<std::optional<std::string>> exchange(std::string_view challenge);
  asio::awaitable<void> script_command(const Command& cmd);
  std::string capabilities() const;
  bool cleartext_allowed() const;
  void touch();
  void ok(std::string_view text, std::string_view code = {});
  void no(std::string_view text, std::string_view code = {});
  void bye(std::string_view text, std::string_view code = {});
  void reply(std::string_view status, std::string_view code, std::string_view text);
  void answer_error(const Error& e);

  Services& services_;
  net::Transport& transport_;
  uint64_t id_;
  State state_ = State::not_authenticated;
  std::string user_;
  std::unique_ptr<ScriptStore> scripts_;
  std::string in_, out_;
  std::string result_;  // "OK", "NO", "BYE" of the last reply, for the log
  asio::steady_timer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_;
  unsigned auth_failures_ = 0;
  std::string note_;
};

}  // namespace courriel::managesieve
