#include "lmtp/session.h"

#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>

#include "base/ascii.h"
#include "net/blocking.h"

namespace courriel::lmtp {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 4096;
constexpr size_t kDataChunk = 64 * 1024;
constexpr size_t kIdleBufferKeep = 16 * 1024;
constexpr std::chrono::seconds kGoodbyeGrace{10};

// The one mapping from the store's errors to LMTP replies (RFC 3463 codes).
std::string delivery_error_reply(Errc code, bool quota_full_permanent) {
  switch (code) {
    case Errc::over_quota:
      // RFC 3463 §3.3: X.2.2 mailbox full, temporary unless configured otherwise.
      return quota_full_permanent ? "552 5.2.2 Mailbox full" : "452 4.2.2 Mailbox full";
    case Errc::too_big: return "552 5.3.4 Message too big for system";
    case Errc::not_found: return "550 5.1.1 User unknown";
    case Errc::permission_denied: return "550 5.2.1 Mailbox unavailable";
    default: return "451 4.3.0 Temporary failure, try again later";
  }
}

}  // namespace

Session::Session(LmtpServices& services, net::Transport& transport)
    : services_(services),
      transport_(transport),
      id_(services.next_session_id++),
      lines_(services.settings.max_line),
      deadline_timer_(transport.executor()) {}

void Session::touch() {
  deadline_ = Clock::now() +
              (in_data_ ? services_.settings.data_timeout : services_.settings.command_timeout);
}

asio::awaitable<void> Session::run() {
  using namespace asio::experimental::awaitable_operators;
  touch();
  co_await (serve() || watchdog());
}

asio::awaitable<void> Session::watchdog() {
  for (;;) {
    deadline_timer_.expires_at(deadline_);
    auto [ec] = co_await deadline_timer_.async_wait(kAsTuple);
    if (ec) co_return;
    if (Clock::now() < deadline_) continue;
    if (transport_.stop_reason() == net::StopReason::none) {
      transport_.request_stop(net::StopReason::timeout);
    } else {
      transport_.close();
    }
    deadline_ = Clock::now() + kGoodbyeGrace;
  }
}

void Session::reply(std::string_view line) {
  out_.append(line);
  out_ += "\r\n";
  note_.assign(line.substr(0, 3));
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

asio::awaitable<bool> Session::flush() {
  if (out_.empty()) co_return true;
  std::error_code ec;
  co_await transport_.write(asio::buffer(out_), ec);
  out_.clear();
  if (ec) co_return false;
  touch();
  co_return true;
}

asio::awaitable<void> Session::serve() {
  const std::string& host = services_.settings.hostname;
  spdlog::info("lmtp sid={:x} peer={} connect", id_, transport_.peer());
  reply("220 " + host + " Courriel LMTP ready");
  while (!quit_ && transport_.stop_reason() == net::StopReason::none) {
    auto step = lines_.feed(in_);
    if (step.state == LineReader::State::need_more) {
      in_.erase(0, step.consumed);
      if (in_.empty() && in_.capacity() > kIdleBufferKeep) std::string().swap(in_);
      if (!co_await flush()) break;
      if (co_await read_more(kReadChunk) == ReadResult::closed) break;
      continue;
    }
    auto start = Clock::now();
    if (step.state == LineReader::State::too_long) {
      in_.erase(0, step.consumed);
      reply("500 5.5.2 Line too long");
      log_command("-", start);
      continue;
    }
    ParseOutcome parsed = parse_command(step.line);
    in_.erase(0, step.consumed);  // step.line is not used after this
    if (!parsed.ok()) {
      reply(parsed.error);
      log_command("-", start);
      continue;
    }
    bool go_on = co_await execute(*parsed.command);
    log_command(parsed.command->name, start);
    if (!go_on) break;
  }
  switch (transport_.stop_reason()) {
    case net::StopReason::shutdown: reply("421 4.3.2 " + host + " Service shutting down"); break;
    case net::StopReason::timeout: reply("421 4.4.2 " + host + " Timeout exceeded"); break;
    case net::StopReason::none: break;
  }
  co_await flush();
  spdlog::info("lmtp sid={:x} peer={} disconnect{}", id_, transport_.peer(),
               transport_.stop_reason() == net::StopReason::timeout ? " reason=timeout" : "");
}

void Session::reset_transaction() {
  sender_.reset();
  recipients_.clear();
  if (spool_ && !spool_->clear()) spool_.reset();  // kept for the next message
  chunks_.reset();
  bdat_failed_ = too_big_ = spool_failed_ = false;
  message_size_ = 0;
}

asio::awaitable<bool> Session::execute(const Command& cmd) {
  const LmtpSettings& settings = services_.settings;
  switch (cmd.verb) {
    case Verb::lhlo:
      // RFC 2033 §4.1 and RFC 5321 §4.1.4: LHLO starts afresh.
      reset_transaction();
      greeted_ = true;
      out_ += "250-" + settings.hostname + "\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
              "250-8BITMIME\r\n250-SIZE " + std::to_string(settings.max_message_size) + "\r\n";
      reply("250 CHUNKING");
      break;
    case Verb::helo:
    case Verb::ehlo:
      reply("500 5.5.1 This is an LMTP server: use LHLO");
      break;
    case Verb::mail:
      if (!greeted_) {
        reply("503 5.5.1 Send LHLO first");
      } else if (sender_) {
        reply("503 5.5.1 Nested MAIL command");
      } else if (cmd.size && *cmd.size > settings.max_message_size) {
        reply("552 5.3.4 Message size exceeds fixed maximum message size");  // RFC 1870 §6.1
      } else {
        sender_ = cmd.address;
        note_.clear();
        reply("250 2.1.0 Sender OK");
      }
      break;
    case Verb::rcpt: co_await do_rcpt(cmd); break;
    case Verb::data:
      if (!sender_) {
        reply("503 5.5.1 Need MAIL command");
      } else if (recipients_.empty()) {
        reply("503 5.5.1 No valid recipients");  // RFC 2033 §4.2
      } else if (chunks_) {
        reply("503 5.5.1 DATA after BDAT");  // RFC 3030 §2
      } else {
        if (!spool_) {
          auto spool = SpoolFile::create(services_.spool_dir);
          if (!spool) {
            spdlog::error("lmtp sid={:x} {}", id_, spool.error().detail);
            reply("451 4.3.0 Temporary failure, try again later");
            break;
          }
          spool_ = std::move(*spool);
        } else if (Status st = spool_->clear(); !st) {
          spdlog::error("lmtp sid={:x} {}", id_, st.error().detail);
          spool_.reset();
          reply("451 4.3.0 Temporary failure, try again later");
          break;
        }
        reply("354 Start mail input; end with <CRLF>.<CRLF>");
        if (!co_await flush() || !co_await receive_data()) co_return false;
        co_await deliver_all();
      }
      break;
    case Verb::bdat: {
      bool valid = sender_ && !recipients_.empty();
      if (valid && !chunks_) {
        chunks_.emplace(BodyDecoder::Mode::raw);
        if (!spool_) {
          auto spool = SpoolFile::create(services_.spool_dir);
          if (spool) {
            spool_ = std::move(*spool);
          } else {
            spdlog::error("lmtp sid={:x} {}", id_, spool.error().detail);
            spool_failed_ = true;
          }
        } else if (!spool_->clear()) {
          spool_.reset();
          spool_failed_ = true;
        }
      }
      // The chunk's bytes are read whatever the answer (RFC 3030 §2).
      if (!co_await receive_chunk(cmd.chunk_size, valid)) co_return false;
      if (!valid) {
        reply(sender_ ? "503 5.5.1 No valid recipients" : "503 5.5.1 Need MAIL command");
      } else if (cmd.last) {
        co_await deliver_all();
      } else if (too_big_) {
        reply("552 5.3.4 Message too big for system");
      } else if (spool_failed_) {
        reply("451 4.3.0 Temporary failure, try again later");
      } else {
        reply("250 2.0.0 " + std::to_string(cmd.chunk_size) + " octets received");
      }
      break;
    }
    case Verb::rset:
      reset_transaction();
      reply("250 2.0.0 OK");
      break;
    case Verb::noop: reply("250 2.0.0 OK"); break;
    case Verb::vrfy:
      reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
      break;
    case Verb::quit:
      reply("221 2.0.0 " + settings.hostname + " closing connection");
      quit_ = true;
      break;
    case Verb::unknown: reply("500 5.5.1 Unknown command"); break;
  }
  co_return true;
}

asio::awaitable<void> Session::do_rcpt(const Command& cmd) {
  if (!sender_) {
    reply("503 5.5.1 Need MAIL command");
    co_return;
  }
  if (chunks_) {
    reply("503 5.5.1 RCPT after BDAT");
    co_return;
  }
  if (recipients_.size() >= services_.settings.max_recipients) {
    reply("452 4.5.3 Too many recipients");
    co_return;
  }
  // One stat() of the user file, a parse only when it changed.
  auto found = resolve_recipient(services_.users, cmd.address, services_.delivery.options());
  std::string shown = ascii::printable(cmd.address, 256);
  if (!found) {
    if (found.code() == Errc::not_found || found.code() == Errc::invalid) {
      reply("550 5.1.1 <" + shown + ">: User unknown");
    } else {
      spdlog::error("lmtp sid={:x} user lookup: {}", id_, found.error().detail);
      reply("451 4.3.0 <" + shown + ">: Temporary lookup failure");
    }
    note_ += " rcpt=<" + shown + ">";
    co_return;
  }
  recipients_.push_back(Accepted{std::move(*found)});
  reply("250 2.1.5 <" + shown + "> OK");
  note_ += " rcpt=<" + shown + ">";
}

void Session::spool(std::string& decoded) {
  message_size_ += decoded.size();
  if (message_size_ > services_.settings.max_message_size && !too_big_) {
    too_big_ = true;
    spool_.reset();  // nothing more is kept; the rest is read and dropped
  }
  if (!too_big_ && !spool_failed_ && spool_) {
    if (Status s = spool_->write(decoded); !s) {
      spdlog::error("lmtp sid={:x} {}", id_, s.error().detail);
      spool_failed_ = true;
    }
  }
  decoded.clear();
}

asio::awaitable<bool> Session::receive_data() {
  in_data_ = true;
  touch();
  BodyDecoder decoder(BodyDecoder::Mode::dot_terminated);
  std::string decoded;
  for (;;) {
    if (!in_.empty()) {
      auto step = decoder.feed(in_, decoded);
      in_.erase(0, step.consumed);
      spool(decoded);
      if (step.done) break;
    }
    if (transport_.stop_reason() != net::StopReason::none) co_return false;
    if (co_await read_more(kDataChunk) == ReadResult::closed) co_return false;
  }
  in_data_ = false;
  touch();
  co_return true;
}

asio::awaitable<bool> Session::receive_chunk(uint64_t size, bool keep) {
  in_data_ = true;
  touch();
  std::string decoded;
  while (size > 0) {
    if (in_.empty()) {
      if (transport_.stop_reason() != net::StopReason::none) co_return false;
      if (co_await read_more(kDataChunk) == ReadResult::closed) co_return false;
    }
    size_t n = size_t(std::min<uint64_t>(size, in_.size()));
    if (keep) {
      chunks_->feed(std::string_view(in_).substr(0, n), decoded);
      spool(decoded);
    }
    in_.erase(0, n);
    size -= n;
  }
  in_data_ = false;
  touch();
  co_return true;
}

asio::awaitable<void> Session::deliver_all() {
  if (chunks_) {
    std::string rest;
    chunks_->finish(rest);
    spool(rest);
  }
  const std::string sender = *sender_;
  for (const Accepted& accepted : recipients_) {
    auto start = Clock::now();
    const std::string shown = ascii::printable(accepted.recipient.address, 256);
    if (too_big_) {
      reply("552 5.3.4 Message too big for system");
    } else if (spool_failed_ || !spool_) {
      reply("451 4.3.0 <" + shown + "> Temporary failure, try again later");
    } else {
      DeliveryEnvelope envelope{sender, accepted.recipient};
      const SpooledMessage message = spool_->message();
      Delivery& delivery = services_.delivery;
      auto result = co_await net::run_blocking(services_.blocking, [&] {
        return delivery.deliver(message, envelope);
      });
      auto micros =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
      const std::string& user = accepted.recipient.user;
      if (result && result->rejected) {
        spdlog::info("lmtp sid={:x} deliver rcpt=<{}> user={} rejected by sieve: {}", id_, shown,
                     user, *result->rejected);
        reply("550 5.7.1 <" + shown + "> " + *result->rejected);  // RFC 5429 §2.1.1
      } else if (result) {
        for (const StoredCopy& copy : result->stored)
          spdlog::info(
              "lmtp sid={:x} deliver from=<{}> rcpt=<{}> user={} mailbox={} uid={} size={} "
              "dur={}.{:03}ms",
              id_, ascii::printable(sender, 256), shown, user, ascii::printable(copy.mailbox),
              copy.uid, copy.size, micros / 1000, micros % 1000);
        for (const std::string& to : result->redirected)
          spdlog::info("lmtp sid={:x} deliver rcpt=<{}> user={} redirected to=<{}>", id_, shown,
                       user, ascii::printable(to, 256));
        if (!result->vacation_to.empty())
          spdlog::info("lmtp sid={:x} deliver rcpt=<{}> user={} vacation reply to=<{}>", id_,
                       shown, user, ascii::printable(result->vacation_to, 256));
        if (result->stored.empty() && result->redirected.empty())
          spdlog::info("lmtp sid={:x} deliver rcpt=<{}> user={} discarded", id_, shown, user);
        reply("250 2.0.0 <" + shown + "> Delivered");
      } else {
        spdlog::warn("lmtp sid={:x} deliver rcpt=<{}> user={} failed: {}: {}", id_, shown, user,
                     errc_name(result.code()), result.error().detail);
        std::string r = delivery_error_reply(result.code(), delivery.options().quota_full_permanent);
        reply(r.substr(0, 10) + "<" + shown + "> " + r.substr(10));
      }
    }
  }
  spdlog::info("lmtp sid={:x} message size={} recipients={}", id_, message_size_,
               recipients_.size());
  reset_transaction();
}

void Session::log_command(std::string_view name, Clock::time_point start) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  // note_ starts with the reply code; RCPT adds the recipient.
  std::string_view result = std::string_view(note_).substr(0, 3);
  std::string_view rest = std::string_view(note_).substr(std::min<size_t>(3, note_.size()));
  spdlog::info("lmtp sid={:x} peer={} cmd={} result={} dur={}.{:03}ms{}", id_, transport_.peer(),
               name, result, micros / 1000, micros % 1000, rest);
  note_.clear();
}

}  // namespace courriel::lmtp
