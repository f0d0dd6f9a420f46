// Session: one IMAP connection's state machine (RFC 9051 §3) and its loop:
// frame a command with the pure CommandReader, parse it, check the state,
// run its handler from the command table, flush the responses.
//
// A Session lives on its transport's thread; handlers are coroutines that get
// the Session (their context) and the parsed Command, and nothing else.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "auth/login_throttle.h"
#include "auth/user_db.h"
#include "imap/parser/command.h"
#include "imap/parser/command_reader.h"
#include "imap/response_writer.h"
#include "imap/selected_mailbox.h"
#include "net/blocking.h"
#include "net/transport.h"
#include "store/store.h"

namespace courriel::imap {

enum class Cleartext { never, loopback, always };

// What an administrator sets (app/ fills it from the config file).
struct ImapSettings {
  ReaderLimits limits;
  std::chrono::seconds unauthenticated_timeout{60};  // RFC 9051 §5.4: at least 30 min once authenticated
  std::chrono::seconds idle_timeout{30 * 60};
  Cleartext cleartext = Cleartext::loopback;  // LOGIN / AUTH=PLAIN without TLS
  unsigned max_auth_failures = 5;             // per connection, then BYE
  size_t output_high_water = 64 * 1024;
  uint64_t max_message_size = 100ull << 20;  // APPENDLIMIT (RFC 7889)
};

// Shared by every session of the server; thread-safe members only.
struct ImapServices {
  ImapSettings settings;
  auth::UserDb& users;
  auth::LoginThrottle& throttle;
  store::Store& store;
  asio::thread_pool& blocking;                 // argon2 and other CPU/disk work
  std::shared_ptr<asio::ssl::context> tls;     // STARTTLS and implicit TLS
  std::string scram_secret;                    // makes fake SCRAM salts for unknown users
  std::atomic<uint64_t> next_session_id{1};
};

enum class SessionState : uint8_t {
  not_authenticated = 1,
  authenticated = 2,
  selected = 4,
  logout = 8,
};

class Session {
 public:
  Session(ImapServices& services, net::Transport& transport, bool implicit_tls);
  asio::awaitable<void> run();

  // --- for command handlers ---
  ResponseWriter& out() { return out_; }
  ImapServices& services() { return services_; }
  net::Transport& transport() { return transport_; }
  SessionState state() const { return state_; }
  void set_state(SessionState s) { state_ = s; }
  const std::string& user() const { return user_; }
  // Opens `user`'s account and moves to the authenticated state (LOGIN,
  // AUTHENTICATE). An error (the account cannot be opened) leaves the state.
  asio::awaitable<Status> log_in(std::string user);

  // The logged-in user's mail. REQUIRES: authenticated or selected state.
  store::Account& account() { return *account_; }
  // Runs `work` (a store call) off the event loop; capture by reference only.
  template <class F>
  asio::awaitable<std::invoke_result_t<F>> blocking(F&& work) {
    co_return co_await net::run_blocking(services_.blocking, std::forward<F>(work));
  }
  // A store read answered from the index on the event loop when `quick` can
  // (it returns nullopt when it would have to scan or write), else `full` off
  // the loop. Saves the two thread hand-offs of a pool trip, which cost more
  // than the read itself. Capture by reference only.
  template <class Quick, class Full>
  asio::awaitable<std::invoke_result_t<Full>> from_index(Quick&& quick, Full&& full) {
    if (auto answer = quick()) co_return std::move(*answer);
    co_return co_await blocking(std::forward<Full>(full));
  }
  // The selected mailbox, or nullptr.
  SelectedMailbox* selected() { return selected_.get(); }
  // Enters the selected state on `mailbox` (SELECT, EXAMINE), watching it for
  // changes; nullptr goes back to the authenticated state (CLOSE, UNSELECT).
  void select(std::unique_ptr<SelectedMailbox> mailbox);
  // Brings the selected mailbox's view up to date and returns the untagged
  // responses that say so (see SelectedMailbox::apply).
  asio::awaitable<std::string> updates(bool expunges_allowed);
  // Waits until the selected mailbox may have changed, or `timeout` passes.
  asio::awaitable<void> wait_for_change(std::chrono::steady_clock::duration timeout);
  // The store file an APPEND message literal was streamed into while the
  // command was read, or nullptr when the literal is in `message.data`.
  std::unique_ptr<store::IncomingMessage> take_streamed_literal(const AppendMessage& message);
  // Mailbox names on the wire: UTF-8 once UTF8=ACCEPT/IMAP4rev2 is enabled.
  bool utf8() const { return false; }
  // The capability list for CAPABILITY and [CAPABILITY ...], for the current state.
  std::string capabilities() const;
  // LOGIN and AUTH=PLAIN are allowed here (RFC 9051 §6.2.3, §11.1).
  bool cleartext_allowed() const;
  // Reads one line of a command's dialogue (AUTHENTICATE responses, IDLE's DONE),
  // without its CRLF. An overlong line is read to its end and reported too_long.
  struct Line {
    enum { ok, too_long, closed } status;
    std::string text;
  };
  asio::awaitable<Line> read_line();
  // Sends what the writer holds. False when the connection is gone.
  asio::awaitable<bool> flush();
  // Sends `length` bytes of `file` from `offset` straight to the client, after
  // what the writer holds: a message is never loaded whole (DESIGN §4). False
  // when the connection is gone or the file could not be read (the session
  // must then end: the literal it announced cannot be completed).
  asio::awaitable<bool> send_file_range(store::MessageFile& file, uint64_t offset,
                                        uint64_t length);
  // Drops input that arrived with STARTTLS (RFC 9051 §6.2.1: no plaintext injection).
  void discard_pending_input() { in_.clear(); }
  // Records an authentication failure; waits the throttle's delay first.
  asio::awaitable<void> auth_failed();
  // Sets the text logged with the command's result ("user=bob" etc.), never secrets.
  void note(std::string text) { note_ = std::move(text); }
  uint64_t id() const { return id_; }

 private:
  enum class ReadResult { data, closed };
  asio::awaitable<ReadResult> read_more(size_t chunk);
  asio::awaitable<void> watchdog();
  asio::awaitable<void> serve();
  // One framed command, with the offsets of its streamed literals' headers.
  struct Frame {
    std::string bytes;
    std::vector<size_t> streamed;
  };
  // Reads until a whole command is framed; nullopt when the session must end.
  asio::awaitable<std::optional<Frame>> next_command();
  // An APPEND message literal was announced: streams it into the store when
  // possible (true), else leaves the decision to the caller (false).
  asio::awaitable<bool> start_streaming(const LiteralInfo& literal);
  void answer_framing_error(std::string_view code, std::string_view text);
  asio::awaitable<void> execute(const Frame& frame);
  void touch();
  std::chrono::seconds current_timeout() const;
  void log_command(std::string_view tag, std::string_view name, std::string_view result,
                   std::chrono::steady_clock::time_point start);

  ImapServices& services_;
  net::Transport& transport_;
  bool implicit_tls_;
  uint64_t id_;
  SessionState state_ = SessionState::not_authenticated;
  std::string user_;
  std::shared_ptr<store::Account> account_;
  std::unique_ptr<SelectedMailbox> selected_;
  // Set from any thread by the store's watch (through a post to this thread).
  struct ChangeSignal {
    explicit ChangeSignal(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    bool pending = false;
  };
  std::shared_ptr<ChangeSignal> change_signal_;
  std::unique_ptr<store::Account::Watch> watch_;
  // APPEND message literals of the command being read, written to the store
  // as they arrive (DESIGN §4: large literals are streamed).
  std::vector<std::unique_ptr<store::IncomingMessage>> streamed_;
  bool stream_failed_ = false;  // a streamed literal could not be written
  std::string in_;  // received, not yet consumed
  ResponseWriter out_;
  CommandReader reader_;
  asio::steady_timer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_;
  unsigned auth_failures_ = 0;
  std::string note_;
  bool watchdog_done_ = false;
};

}  // namespace courriel::imap
