#include "managesieve/session.h"

#include <spdlog/spdlog.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <charconv>

#include "auth/sasl_plain.h"
#include "auth/scram.h"
#include "base/ascii.h"
#include "base/base64.h"
#include "net/blocking.h"
#include "sieve/sieve.h"

namespace courriel::managesieve {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 4096;
constexpr std::chrono::seconds kGoodbyeGrace{10};

}  // namespace

Session::Session(Services& services, net::Transport& transport)
    : services_(services),
      transport_(transport),
      id_(services.next_session_id++),
      deadline_timer_(transport.executor()) {}

void Session::touch() {
  deadline_ = Clock::now() + (state_ == State::not_authenticated
                                  ? services_.settings.unauthenticated_timeout
                                  : services_.settings.idle_timeout);
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
    if (transport_.stop_reason() == net::StopReason::none)
      transport_.request_stop(net::StopReason::timeout);
    else
      transport_.close();
    deadline_ = Clock::now() + kGoodbyeGrace;
  }
}

void Session::reply(std::string_view status, std::string_view code, std::string_view text) {
  result_ = std::string(status);
  out_ += status;
  if (!code.empty()) {
    out_ += " (";
    out_ += code;
    out_ += ")";
  }
  if (!text.empty()) {
    out_ += " ";
    out_ += quote(text);
  }
  out_ += "\r\n";
}
void Session::ok(std::string_view text, std::string_view code) { reply("OK", code, text); }
void Session::no(std::string_view text, std::string_view code) { reply("NO", code, text); }
void Session::bye(std::string_view text, std::string_view code) { reply("BYE", code, text); }

void Session::answer_error(const Error& e) {
  switch (e.code) {
    case Errc::not_found: no("No such script", "NONEXISTENT"); return;
    case Errc::already_exists: no("A script with that name exists", "ALREADYEXISTS"); return;
    case Errc::permission_denied: no("The script is active", "ACTIVE"); return;
    case Errc::too_big: no("Script too big: " + e.detail, "QUOTA/MAXSIZE"); return;
    case Errc::over_quota: no("Too many scripts: " + e.detail, "QUOTA/MAXSCRIPTS"); return;
    case Errc::invalid: no(e.detail); return;
    default:
      spdlog::error("managesieve sid={:x} user={} {}: {}", id_, user_, errc_name(e.code), e.detail);
      no("Internal error; the incident was logged", "TRYLATER");
  }
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
  std::string c = "\"IMPLEMENTATION\" \"Courriel\"\r\n";
  if (state_ == State::not_authenticated) {
    c += cleartext_allowed() ? "\"SASL\" \"PLAIN SCRAM-SHA-256\"\r\n" : "\"SASL\" \"SCRAM-SHA-256\"\r\n";
    if (!transport_.tls_active() && services_.tls) c += "\"STARTTLS\"\r\n";
  } else {
    c += "\"OWNER\" " + quote(user_) + "\r\n";
  }
  c += "\"SIEVE\" " + quote(sieve::supported_extensions()) + "\r\n";
  c += "\"MAXREDIRECTS\" \"" + std::to_string(services_.settings.max_redirects) + "\"\r\n";
  c += "\"UNAUTHENTICATE\"\r\n";
  c += "\"VERSION\" \"1.0\"\r\n";
  return c;
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

asio::awaitable<std::optional<Command>> Session::next(bool named) {
  for (;;) {
    if (transport_.stop_reason() != net::StopReason::none) co_return std::nullopt;
    Step step = parse_command(in_, services_.settings.limits, named);
    switch (step.state) {
      case Step::complete:
        in_.erase(0, step.consumed);
        co_return std::move(step.command);
      case Step::error:
        in_.erase(0, step.consumed);
        no(step.message);
        spdlog::info("managesieve sid={:x} bad command: {}", id_, step.message);
        if (!named) co_return Command{};  // a response that is not a string: caller fails
        continue;
      case Step::too_big: {
        // Read and drop the literal and the rest of its line, then refuse.
        in_.erase(0, step.consumed);
        uint64_t left = step.skip;
        for (;;) {
          if (left > 0) {
            size_t n = size_t(std::min<uint64_t>(left, in_.size()));
            in_.erase(0, n);
            left -= n;
          }
          if (left == 0) {
            auto lf = in_.find('\n');
            if (lf != std::string::npos) {
              in_.erase(0, lf + 1);
              break;
            }
            in_.clear();
          }
          size_t old = in_.size();
          in_.resize(old + kReadChunk);
          std::error_code ec;
          size_t got = co_await transport_.read_some(asio::buffer(in_.data() + old, kReadChunk), ec);
          in_.resize(old + got);
          if (ec || got == 0) co_return std::nullopt;
          touch();
        }
        no("Literal too big", "QUOTA/MAXSIZE");
        spdlog::info("managesieve sid={:x} literal too big: {} bytes", id_, step.skip);
        if (!named) co_return Command{};
        continue;
      }
      case Step::fatal:
        bye(step.message);
        spdlog::info("managesieve sid={:x} fatal input: {}", id_, step.message);
        co_await flush();
        co_return std::nullopt;
      case Step::need_more: {
        if (!co_await flush()) co_return std::nullopt;
        size_t old = in_.size();
        in_.resize(old + kReadChunk);
        std::error_code ec;
        size_t n = co_await transport_.read_some(asio::buffer(in_.data() + old, kReadChunk), ec);
        in_.resize(old + n);
        if (ec || n == 0) co_return std::nullopt;
        touch();
      }
    }
  }
}

asio::awaitable<void> Session::serve() {
  spdlog::info("managesieve sid={:x} peer={} connect", id_, transport_.peer());
  out_ = capabilities();
  ok("Courriel ManageSieve ready.");
  while (state_ != State::logout) {
    auto cmd = co_await next(true);
    if (!cmd) break;
    auto start = Clock::now();
    note_.clear();
    co_await execute(*cmd);
    spdlog::info("managesieve sid={:x} user={} {} {}{}{} {}us", id_, user_, cmd->name, result_,
                 note_.empty() ? "" : " ", note_,
                 std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
    if (auth_failures_ >= services_.settings.max_auth_failures) {
      bye("Too many failed authentication attempts");
      break;
    }
    if (transport_.stop_reason() != net::StopReason::none) break;
    if (!co_await flush()) break;
  }
  switch (transport_.stop_reason()) {
    case net::StopReason::shutdown: bye("Server shutting down", "TRYLATER"); break;
    case net::StopReason::timeout: bye("Disconnected for inactivity"); break;
    case net::StopReason::none: break;
  }
  co_await flush();
  spdlog::info("managesieve sid={:x} peer={} user={} disconnect{}", id_, transport_.peer(), user_,
               transport_.stop_reason() == net::StopReason::timeout ? " reason=timeout" : "");
}

asio::awaitable<void> Session::execute(const Command& cmd) {
  const std::string& n = cmd.name;
  const size_t argc = cmd.args.size();
  auto usage = [&](std::string_view text) { no(std::string("Syntax: ") + std::string(text)); };
  if (n == "CAPABILITY") {
    if (argc) co_return usage("CAPABILITY");
    out_ += capabilities();
    ok("Capability completed.");
  } else if (n == "LOGOUT") {
    ok("Logout completed.");
    state_ = State::logout;
  } else if (n == "NOOP") {
    if (argc > 1) co_return usage("NOOP [tag]");
    if (argc == 1)
      ok("Done", "TAG " + quote(cmd.args[0]));
    else
      ok("Done");
  } else if (n == "STARTTLS") {
    if (argc) co_return usage("STARTTLS");
    if (transport_.tls_active() || !services_.tls || state_ != State::not_authenticated)
      co_return no("STARTTLS is not available now");
    ok("Begin TLS negotiation now.");
    if (!co_await flush()) {
      state_ = State::logout;
      co_return;
    }
    in_.clear();  // no plaintext injection
    std::error_code ec;
    co_await transport_.start_tls(*services_.tls, ec);
    if (ec) {
      spdlog::info("managesieve sid={:x} tls-handshake-failed: {}", id_, ec.message());
      state_ = State::logout;
      co_return;
    }
    note_ = transport_.tls_description();
    // RFC 5804 §2.2: the capabilities again, then OK.
    out_ += capabilities();
    ok("TLS negotiation successful.");
  } else if (n == "AUTHENTICATE") {
    if (state_ != State::not_authenticated) co_return no("Already authenticated");
    if (argc < 1 || argc > 2) co_return usage("AUTHENTICATE mechanism [initial-response]");
    co_await authenticate(cmd);
  } else if (n == "UNAUTHENTICATE") {
    if (state_ != State::authenticated) co_return no("Not authenticated");
    state_ = State::not_authenticated;
    user_.clear();
    scripts_.reset();
    touch();
    ok("Unauthenticate completed.");
  } else if (n == "HAVESPACE" || n == "PUTSCRIPT" || n == "CHECKSCRIPT" || n == "LISTSCRIPTS" ||
             n == "SETACTIVE" || n == "GETSCRIPT" || n == "DELETESCRIPT" ||
             n == "RENAMESCRIPT") {
    if (state_ != State::authenticated) co_return no("Authenticate first");
    co_await script_command(cmd);
  } else {
    no("Unknown command " + ascii::printable(n));
  }
}

asio::awaitable<void> Session::script_command(const Command& cmd) {
  const std::string& n = cmd.name;
  const auto& a = cmd.args;
  ScriptStore& st = *scripts_;
  auto usage = [&](std::string_view text) { no(std::string("Syntax: ") + std::string(text)); };
  if (n == "LISTSCRIPTS") {
    if (!a.empty()) co_return usage("LISTSCRIPTS");
    auto list = co_await net::run_blocking(services_.blocking, [&] { return st.list(); });
    if (!list) co_return answer_error(list.error());
    for (const ScriptInfo& s : *list) out_ += quote(s.name) + (s.active ? " ACTIVE\r\n" : "\r\n");
    co_return ok("Listscripts completed.");
  }
  if (n == "HAVESPACE") {
    if (a.size() != 2) co_return usage("HAVESPACE name size");
    uint64_t size = 0;
    auto [end, ec] = std::from_chars(a[1].data(), a[1].data() + a[1].size(), size);
    if (a[1].empty() || ec != std::errc() || end != a[1].data() + a[1].size())
      co_return usage("HAVESPACE name size");
    auto s = co_await net::run_blocking(services_.blocking, [&] { return st.have_space(a[0], size); });
    if (!s) co_return answer_error(s.error());
    co_return ok("Putscript would succeed.");
  }
  if (n == "CHECKSCRIPT") {
    if (a.size() != 1) co_return usage("CHECKSCRIPT script");
    if (Status s = ScriptStore::check(a[0]); !s) co_return no(s.error().detail);
    co_return ok("Script is valid.");
  }
  if (n == "PUTSCRIPT") {
    if (a.size() != 2) co_return usage("PUTSCRIPT name script");
    note_ = "name=\"" + ascii::printable(a[0]) + "\" size=" + std::to_string(a[1].size());
    auto s = co_await net::run_blocking(services_.blocking, [&] { return st.put(a[0], a[1]); });
    if (!s) co_return answer_error(s.error());
    co_return ok("Putscript completed.");
  }
  if (n == "GETSCRIPT") {
    if (a.size() != 1) co_return usage("GETSCRIPT name");
    auto text = co_await net::run_blocking(services_.blocking, [&] { return st.get(a[0]); });
    if (!text) co_return answer_error(text.error());
    out_ += "{" + std::to_string(text->size()) + "}\r\n" + *text + "\r\n";
    co_return ok("Getscript completed.");
  }
  if (n == "SETACTIVE") {
    if (a.size() != 1) co_return usage("SETACTIVE name");
    auto s = co_await net::run_blocking(services_.blocking, [&] { return st.set_active(a[0]); });
    if (!s) co_return answer_error(s.error());
    co_return ok(a[0].empty() ? "No script is active now." : "Setactive completed.");
  }
  if (n == "DELETESCRIPT") {
    if (a.size() != 1) co_return usage("DELETESCRIPT name");
    auto s = co_await net::run_blocking(services_.blocking, [&] { return st.remove(a[0]); });
    if (!s) co_return answer_error(s.error());
    co_return ok("Deletescript completed.");
  }
  // RENAMESCRIPT
  if (a.size() != 2) co_return usage("RENAMESCRIPT old new");
  auto s = co_await net::run_blocking(services_.blocking, [&] { return st.rename(a[0], a[1]); });
  if (!s) co_return answer_error(s.error());
  ok("Renamescript completed.");
}

asio::awaitable<void> Session::auth_failed() {
  ++auth_failures_;
  auto delay = services_.throttle.failure(transport_.peer_ip());
  asio::steady_timer timer(transport_.executor(), delay);
  co_await timer.async_wait(kAsTuple);
}

asio::awaitable<bool> Session::log_in(const std::string& user) {
  user_ = user;
  scripts_ = std::make_unique<ScriptStore>(ScriptStore::dir_for(services_.data_dir, user),
                                           services_.settings.scripts);
  state_ = State::authenticated;
  auth_failures_ = 0;
  services_.throttle.success(transport_.peer_ip());
  touch();
  co_return true;
}

asio::awaitable<std::optional<std::string>> Session::exchange(std::string_view challenge) {
  out_ += quote(base64::encode(challenge)) + "\r\n";
  auto response = co_await next(false);
  if (!response) {
    state_ = State::logout;
    co_return std::nullopt;
  }
  if (response->args.size() != 1) {
    if (result_ != "NO") no("Expected one string");
    co_return std::nullopt;
  }
  if (response->args[0] == "*") {
    no("Authentication aborted");
    co_return std::nullopt;
  }
  auto decoded = base64::decode(response->args[0]);
  if (!decoded) {
    no("Invalid base64 in the authentication response");
    co_return std::nullopt;
  }
  co_return decoded;
}

asio::awaitable<void> Session::authenticate(const Command& cmd) {
  const std::string mechanism = ascii::upper(cmd.args[0]);
  std::optional<std::string> first;
  auto initial = [&]() -> std::optional<std::string> {
    auto d = base64::decode(cmd.args[1]);
    return d;
  };
  result_.clear();
  if (mechanism == "PLAIN") {
    if (!cleartext_allowed())
      co_return no("PLAIN is disabled on unencrypted connections; use STARTTLS", "ENCRYPT-NEEDED");
    if (cmd.args.size() == 2) {
      first = initial();
      if (!first) co_return no("Invalid base64 in the initial response");
    } else {
      first = co_await exchange("");
      if (!first) co_return;
    }
    auto creds = auth::decode_sasl_plain(*first);
    if (!creds) co_return no("Malformed PLAIN message");
    note_ = "user=\"" + ascii::printable(creds->authcid) + "\"";
    if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
      co_await auth_failed();
      co_return no("Not authorized to act as that user", "AUTH-TOO-WEAK");
    }
    auth::UserDb& users = services_.users;
    auto record = co_await net::run_blocking(
        services_.blocking, [&] { return users.verify(creds->authcid, creds->password); });
    if (!record) {
      if (record.code() != Errc::auth_failed) {
        spdlog::error("managesieve sid={:x} user db: {}", id_, record.error().detail);
        co_return no("Authentication is unavailable", "TRYLATER");
      }
      co_await auth_failed();
      co_return no("Authentication failed");
    }
    co_await log_in(record->name.full());
    co_return ok("Logged in.");
  }
  if (mechanism == "SCRAM-SHA-256") {
    auth::ScramServer scram;
    if (cmd.args.size() == 2) {
      first = initial();
      if (!first) co_return no("Invalid base64 in the initial response");
    } else {
      first = co_await exchange("");
      if (!first) co_return;
    }
    auto name = scram.client_first(*first);
    if (!name) co_return no("Malformed SCRAM client-first-message");
    note_ = "user=\"" + ascii::printable(*name) + "\"";
    auth::UserDb& users = services_.users;
    auto record = co_await net::run_blocking(services_.blocking, [&] { return users.find(*name); });
    if (!record && record.code() == Errc::internal) {
      spdlog::error("managesieve sid={:x} user db: {}", id_, record.error().detail);
      co_return no("Authentication is unavailable", "TRYLATER");
    }
    bool usable = record && record->scram.iterations > 0;
    auth::ScramCredentials creds =
        usable ? record->scram : auth::fake_scram_credentials(*name, services_.scram_secret);
    auto client_final = co_await exchange(scram.server_first(creds));
    if (!client_final) co_return;
    auto server_final = scram.client_final(*client_final);
    if (!server_final || !usable) {
      co_await auth_failed();
      co_return no("Authentication failed");
    }
    if (!scram.authzid().empty() && scram.authzid() != *name) {
      co_await auth_failed();
      co_return no("Not authorized to act as that user");
    }
    co_await log_in(record->name.full());
    // RFC 5804 §2.1: the server's final data in the SASL response code.
    co_return ok("Logged in.", "SASL " + quote(base64::encode(*server_final)));
  }
  no("Unsupported authentication mechanism");
}

}  // namespace courriel::managesieve
