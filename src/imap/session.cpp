#include "imap/session.h"

#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "imap/command_table.h"
#include "imap/parser/command_parser.h"

namespace courriel::imap {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 4096;
constexpr size_t kStreamChunk = 64 * 1024;
// An APPEND whose command, literals included, stays within this is kept in
// memory and written by the store in the same trip as the append: a file
// opened at the literal's announcement would cost a trip to the blocking
// pool of its own (most messages clients append are this small).
constexpr size_t kKeptAppend = 64 * 1024;
constexpr size_t kIdleBufferKeep = 16 * 1024;  // larger input buffers are released between commands
constexpr std::chrono::seconds kGoodbyeGrace{10};

std::string_view state_name(SessionState s) {
  switch (s) {
    case SessionState::not_authenticated: return "not authenticated";
    case SessionState::authenticated: return "authenticated";
    case SessionState::selected: return "selected";
    case SessionState::logout: return "logout";
  }
  return "?";
}

std::string_view status_name(Reply s) {
  return s == Reply::ok ? "OK" : s == Reply::no ? "NO" : "BAD";
}

}  // namespace

Session::Session(ImapServices& services, net::Transport& transport, bool implicit_tls)
    : services_(services),
      transport_(transport),
      implicit_tls_(implicit_tls),
      id_(services.next_session_id++),
      reader_(services.settings.limits),
      deadline_timer_(transport.executor()) {}

void Session::touch() { deadline_ = Clock::now() + current_timeout(); }

std::chrono::seconds Session::current_timeout() const {
  return state_ == SessionState::not_authenticated ? services_.settings.unauthenticated_timeout
                                                   : services_.settings.idle_timeout;
}

asio::awaitable<void> Session::run() {
  using namespace asio::experimental::awaitable_operators;
  touch();
  // The watchdog runs beside the session and is cancelled when serve() returns.
  co_await (serve() || watchdog());
}

asio::awaitable<void> Session::watchdog() {
  for (;;) {
    deadline_timer_.expires_at(deadline_);
    auto [ec] = co_await deadline_timer_.async_wait(kAsTuple);
    if (ec) co_return;  // cancelled: the session is over
    if (Clock::now() < deadline_) continue;  // activity moved the deadline
    if (transport_.stop_reason() == net::StopReason::none) {
      // First expiry: interrupt the session so it says BYE (RFC 9051 §5.4 autologout).
      transport_.request_stop(net::StopReason::timeout);
      deadline_ = Clock::now() + kGoodbyeGrace;
    } else {
      transport_.close();  // the peer does not even take our goodbye
      deadline_ = Clock::now() + kGoodbyeGrace;
    }
  }
}

asio::awaitable<void> Session::serve() {
  if (implicit_tls_) {
    std::error_code ec;
    co_await transport_.start_tls(*services_.tls, ec);
    if (ec) {
      spdlog::info("imap sid={:x} peer={} tls-handshake-failed: {}", id_, transport_.peer(),
                   ec.message());
      co_return;
    }
  }
  spdlog::info("imap sid={:x} peer={} connect tls={}", id_, transport_.peer(),
               transport_.tls_description());
  out_.untagged("OK [CAPABILITY " + capabilities() + "] Courriel ready.");

  while (state_ != SessionState::logout) {
    auto frame = co_await next_command();
    if (!frame) break;
    co_await execute(*frame);
    streamed_.clear();  // unclaimed streamed messages are removed with their files
    if (auth_failures_ >= services_.settings.max_auth_failures) {
      out_.untagged("BYE Too many failed authentication attempts");
      break;
    }
    if (transport_.stop_reason() != net::StopReason::none) break;
  }

  switch (transport_.stop_reason()) {
    case net::StopReason::shutdown: out_.untagged("BYE [UNAVAILABLE] Server shutting down"); break;
    case net::StopReason::timeout: out_.untagged("BYE Autologout; idle for too long"); break;
    case net::StopReason::none: break;
  }
  co_await flush();
  spdlog::info("imap sid={:x} peer={} user={} disconnect{}", id_, transport_.peer(), user_,
               transport_.stop_reason() == net::StopReason::timeout ? " reason=timeout" : "");
}

asio::awaitable<std::optional<Session::Frame>> Session::next_command() {
  for (;;) {
    if (transport_.stop_reason() != net::StopReason::none) co_return std::nullopt;
    auto step = reader_.feed(in_);
    // A chunk views in_: it is consumed once handled.
    if (step.state != CommandReader::State::literal_chunk) in_.erase(0, step.consumed);
    switch (step.state) {
      case CommandReader::State::need_more:
        if (!co_await flush()) co_return std::nullopt;
        out_.trim();
        // Bigger reads while a message streams in: fewer system calls per MB.
        if (co_await read_more(streamed_.empty() ? kReadChunk : kStreamChunk) ==
            ReadResult::closed)
          co_return std::nullopt;
        break;
      case CommandReader::State::literal_announced: {
        const LiteralInfo literal = reader_.literal();
        // APPEND message literals go straight to the store as they arrive
        // (DESIGN §4); other literals are kept, up to max_literal.
        if (co_await start_streaming(literal)) {
          if (literal.synchronizing) out_.continuation("Ready for literal data");
        } else if (literal.size > services_.settings.limits.max_literal ||
                   (is_append_prefix(reader_.partial_command()) &&
                    literal.size > services_.settings.max_message_size)) {
          reader_.reject_literal();
          // RFC 7888 §4: refuse a synchronising literal instead of sending "+";
          // a non-synchronising one is read and discarded by the reader first.
          if (literal.synchronizing) answer_framing_error("TOOBIG", "Literal too big");
        } else {
          reader_.accept_literal();
          if (literal.synchronizing) out_.continuation("Ready for literal data");
        }
        break;
      }
      case CommandReader::State::literal_chunk: {
        // Written inline: it lands in the page cache; the fsync waits for APPEND.
        if (!stream_failed_) {
          if (Status w = streamed_.back()->write(step.chunk); !w) {
            spdlog::error("imap sid={:x} cannot write a message: {}", id_, w.error().detail);
            stream_failed_ = true;
            reader_.abandon_literal();
          }
        }
        in_.erase(0, step.consumed);
        break;
      }
      case CommandReader::State::complete: {
        Frame frame{reader_.take_command(), reader_.streamed_literals()};
        reader_.reset();
        if (in_.empty() && in_.capacity() > kIdleBufferKeep) std::string().swap(in_);
        co_return frame;
      }
      case CommandReader::State::line_too_long:
        answer_framing_error("", "Command line too long");
        break;
      case CommandReader::State::literal_too_big:
        answer_framing_error("TOOBIG", "Literal too big");
        break;
      case CommandReader::State::command_too_long:
        answer_framing_error("TOOBIG", "Command too long");
        break;
    }
  }
}

void Session::answer_framing_error(std::string_view code, std::string_view text) {
  std::string tag(reader_.tag());
  if (tag.empty()) tag = "*";
  if (stream_failed_) {
    out_.tagged(tag, Reply::no, "SERVERBUG", "Cannot store the message; the incident was logged");
  } else {
    out_.tagged(tag, Reply::bad, code, text);
  }
  streamed_.clear();
  stream_failed_ = false;
  log_command(tag, "-", "BAD", Clock::now());
  reader_.reset();
}

asio::awaitable<Session::ReadResult> Session::read_more(size_t chunk) {
  size_t old = in_.size();
  in_.resize(old + chunk);
  std::error_code ec;
  size_t n = co_await transport_.read_some(asio::buffer(in_.data() + old, chunk), ec);
  in_.resize(old + n);
  if (ec || n == 0) co_return ReadResult::closed;
  touch();
  co_return ReadResult::data;
}

asio::awaitable<Session::Line> Session::read_line() {
  bool too_long = false;
  for (;;) {
    auto lf = in_.find('\n');
    if (lf != std::string::npos) {
      std::string text = too_long ? std::string() : in_.substr(0, lf);
      in_.erase(0, lf + 1);
      if (!text.empty() && text.back() == '\r') text.pop_back();
      co_return Line{too_long ? Line::too_long : Line::ok, std::move(text)};
    }
    if (in_.size() > services_.settings.limits.max_line) {
      too_long = true;
      in_.clear();
    }
    if (!co_await flush()) co_return Line{Line::closed, {}};
    out_.trim();
    if (co_await read_more(kReadChunk) == ReadResult::closed) co_return Line{Line::closed, {}};
  }
}

asio::awaitable<bool> Session::flush() {
  if (out_.size() == 0) co_return true;
  std::error_code ec;
  co_await transport_.write(asio::buffer(out_.buffer()), ec);
  out_.clear();
  if (ec) co_return false;
  touch();
  co_return true;
}

asio::awaitable<bool> Session::send_file_range(store::MessageFile& file, uint64_t offset,
                                               uint64_t length) {
  // Small reads come from the page cache in microseconds; large ones go to
  // the blocking pool so a cold disk never stalls the other sessions.
  constexpr size_t kChunk = 256 * 1024;
  constexpr uint64_t kInlineRead = 64 * 1024;
  if (!co_await flush()) co_return false;
  std::string chunk;
  while (length > 0) {
    chunk.resize(size_t(std::min<uint64_t>(length, kChunk)));
    auto n = chunk.size() <= kInlineRead
                 ? file.read(offset, chunk)
                 : co_await blocking([&] { return file.read(offset, chunk); });
    if (!n || *n == 0) {
      spdlog::error("imap sid={:x} message read failed at offset {}", id_, offset);
      co_return false;
    }
    std::error_code ec;
    co_await transport_.write(asio::buffer(chunk.data(), *n), ec);
    if (ec) co_return false;
    touch();
    offset += *n;
    length -= *n;
  }
  co_return true;
}

std::unique_ptr<store::IncomingMessage> Session::take_streamed_literal(
    const AppendMessage& message) {
  if (!message.streamed || message.stream_index >= streamed_.size()) return nullptr;
  return std::move(streamed_[message.stream_index]);
}

asio::awaitable<bool> Session::start_streaming(const LiteralInfo& literal) {
  if (!account_ || !announces_append_message(reader_.partial_command(), reader_.streamed_literals()))
    co_return false;
  if (literal.size <= services_.settings.limits.max_literal &&
      reader_.partial_command().size() + literal.size <= kKeptAppend)
    co_return false;
  if (literal.size > services_.settings.max_message_size) co_return false;
  auto incoming = co_await blocking([&] { return account_->begin_message(); });
  if (!incoming) {
    spdlog::error("imap sid={:x} cannot receive a message: {}", id_, incoming.error().detail);
    co_return false;
  }
  streamed_.push_back(std::move(*incoming));
  reader_.stream_literal();
  co_return true;
}

asio::awaitable<Status> Session::log_in(std::string user) {
  auto account = co_await blocking([&] { return services_.store.open(user); });
  if (!account) co_return account.error();
  account_ = std::move(*account);
  user_ = std::move(user);
  state_ = SessionState::authenticated;
  auth_failures_ = 0;
  services_.throttle.success(transport_.peer_ip());
  touch();
  co_return Status{};
}

void Session::select(std::unique_ptr<SelectedMailbox> mailbox) {
  watch_.reset();
  selected_ = std::move(mailbox);
  if (!selected_) {
    if (state_ == SessionState::selected) state_ = SessionState::authenticated;
    return;
  }
  state_ = SessionState::selected;
  if (!change_signal_) change_signal_ = std::make_shared<ChangeSignal>(transport_.executor());
  change_signal_->pending = false;
  // The store calls this from any thread; the signal is touched only here.
  std::weak_ptr<ChangeSignal> weak = change_signal_;
  auto executor = transport_.executor();
  watch_ = account_->watch(selected_->id(), [weak, executor] {
    asio::post(executor, [weak] {
      if (auto signal = weak.lock()) {
        signal->pending = true;
        signal->timer.cancel();
      }
    });
  });
}

asio::awaitable<std::string> Session::updates(bool expunges_allowed) {
  std::string out;
  if (!selected_) co_return out;
  if (change_signal_) change_signal_->pending = false;
  auto id = selected_->id();
  auto since = selected_->modseq_seen();
  auto changes = co_await from_index([&] { return account_->changes_from_index(id, since); },
                                     [&] { return account_->changes_since(id, since); });
  if (!changes) {
    if (changes.code() == Errc::not_found) {
      // The mailbox was deleted (or renamed away) under us: RFC 2180 §4.1.3.
      out = "* BYE [CLOSED] The selected mailbox no longer exists\r\n";
      select(nullptr);
      state_ = SessionState::logout;
    } else {
      spdlog::error("imap sid={:x} changes: {}", id_, changes.error().detail);
    }
    co_return out;
  }
  selected_->apply(*changes, expunges_allowed, out);
  co_return out;
}

asio::awaitable<void> Session::wait_for_change(std::chrono::steady_clock::duration timeout) {
  if (!change_signal_ || change_signal_->pending) co_return;
  change_signal_->timer.expires_after(timeout);
  co_await change_signal_->timer.async_wait(kAsTuple);
}

asio::awaitable<void> Session::auth_failed() {
  ++auth_failures_;
  auto delay = services_.throttle.failure(transport_.peer_ip());
  asio::steady_timer timer(transport_.executor(), delay);
  co_await timer.async_wait(kAsTuple);
}

bool Session::cleartext_allowed() const {
  switch (services_.settings.cleartext) {
    case Cleartext::always: return true;
    case Cleartext::loopback: return transport_.tls_active() || transport_.peer_is_loopback();
    case Cleartext::never: return transport_.tls_active();
  }
  return false;
}

std::string Session::capabilities() const {
  std::string caps = "IMAP4rev1";
  if (state_ == SessionState::not_authenticated) {
    if (!transport_.tls_active() && services_.tls) caps += " STARTTLS";
    if (cleartext_allowed()) {
      caps += " AUTH=PLAIN";
    } else {
      caps += " LOGINDISABLED";
    }
    caps += " AUTH=SCRAM-SHA-256 SASL-IR";
  }
  caps += " LITERAL+ ID ENABLE";
  if (state_ != SessionState::not_authenticated)
    caps += " IDLE UIDPLUS MOVE UNSELECT MULTIAPPEND NAMESPACE CHILDREN LIST-EXTENDED"
            " LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE STATUS=SIZE BINARY ESEARCH SEARCHRES"
            " SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES"
            " QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE APPENDLIMIT=" +
            std::to_string(services_.settings.max_message_size);
  return caps;
}

asio::awaitable<void> Session::execute(const Frame& frame) {
  auto start = Clock::now();
  ParseOutcome parsed =
      parse_command(frame.bytes, ParseOptions{.utf8_accepted = utf8(), .streamed_literals = frame.streamed});
  if (!parsed.command) {
    std::string tag = parsed.error.tag.empty() ? "*" : parsed.error.tag;
    out_.tagged(tag, Reply::bad, "", parsed.error.message);
    log_command(tag, "-", "BAD", start);
    co_return;
  }
  const Command& cmd = *parsed.command;
  const CommandSpec* spec = find_command(cmd.name);
  if (!spec) {
    out_.tagged(cmd.tag, Reply::bad, "",
                cmd.name == CommandName::unknown ? "Unknown command " + cmd.name_text
                                                 : "Command " + cmd.name_text + " is not implemented yet");
  } else if (!(spec->states & uint8_t(state_))) {
    out_.tagged(cmd.tag, Reply::bad, "",
                "Command " + cmd.name_text + " is not valid in the " +
                    std::string(state_name(state_)) + " state");
  } else {
    note_.clear();
    try {
      co_await spec->handler(*this, cmd);
      // RFC 9051 §7.4.1: report what changed in the selected mailbox, before
      // the tagged response, where the command allows it.
      if (selected_ && spec->sync != SyncAfter::none) {
        bool expunges = spec->sync == SyncAfter::all || cmd.uid;
        out_.insert_before_tagged(co_await updates(expunges));
      }
    } catch (const std::exception& e) {
      // A handler bug costs this command only; the session and the server go on.
      spdlog::error("imap sid={:x} cmd={} exception: {}", id_, cmd.name_text, e.what());
      out_.tagged(cmd.tag, Reply::no, "SERVERBUG", "Internal error; the incident was logged");
    }
  }
  log_command(cmd.tag, cmd.name_text, status_name(out_.last_status()), start);
  if (out_.size() >= services_.settings.output_high_water) co_await flush();
}

void Session::log_command(std::string_view tag, std::string_view name, std::string_view result,
                          Clock::time_point start) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  spdlog::info("imap sid={:x} user={} peer={} tag={} cmd={} result={} dur={}.{:03}ms{}{}", id_,
               user_.empty() ? "-" : user_, transport_.peer(), tag, name, result, micros / 1000,
               micros % 1000, note_.empty() ? "" : " ", note_);
  note_.clear();
}

}  // namespace courriel::imap
