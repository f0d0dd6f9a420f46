// AUTHENTICATE — RFC 9051 §6.2.2, with SASL-IR (RFC 4959). Mechanisms:
// PLAIN (RFC 4616; cleartext rules as LOGIN) and SCRAM-SHA-256 (RFC 7677).
#include <optional>

#include "auth/sasl_plain.h"
#include "auth/scram.h"
#include "base/ascii.h"
#include "base/base64.h"
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/session.h"
#include "net/blocking.h"

namespace courriel::imap {
namespace {

// Sends a challenge and reads the client's base64 answer. nullopt when the
// exchange is over: cancelled with "*" (BAD, RFC 9051 §6.2.2), malformed (BAD),
// or the connection gone; the tagged response is then already written.
asio::awaitable<std::optional<std::string>> exchange(Session& s, std::string_view tag,
                                                     std::string_view challenge) {
  s.out().continuation(base64::encode(challenge));
  Session::Line line = co_await s.read_line();
  if (line.status == Session::Line::closed) {
    s.set_state(SessionState::logout);
    co_return std::nullopt;
  }
  if (line.status == Session::Line::too_long) {
    s.out().tagged(tag, Reply::bad, "", "Authentication response too long");
    co_return std::nullopt;
  }
  if (line.text == "*") {
    s.out().tagged(tag, Reply::bad, "", "AUTHENTICATE cancelled");
    co_return std::nullopt;
  }
  auto decoded = base64::decode(line.text);
  if (!decoded) {
    s.out().tagged(tag, Reply::bad, "", "Invalid base64 in authentication response");
    co_return std::nullopt;
  }
  co_return decoded;
}

// The client's first message: the SASL-IR initial response or a first exchange.
asio::awaitable<std::optional<std::string>> first_response(Session& s, const Command& cmd) {
  const auto& args = std::get<AuthenticateArgs>(cmd.args);
  if (args.initial_response) co_return *args.initial_response;
  co_return co_await exchange(s, cmd.tag, "");
}

asio::awaitable<void> authenticate_plain(Session& s, const Command& cmd) {
  if (!s.cleartext_allowed()) {
    s.out().tagged(cmd.tag, Reply::no, "PRIVACYREQUIRED",
                   "PLAIN is disabled on unencrypted connections; use STARTTLS");
    co_return;
  }
  auto message = co_await first_response(s, cmd);
  if (!message) co_return;
  auto creds = auth::decode_sasl_plain(*message);
  if (!creds) {
    s.out().tagged(cmd.tag, Reply::bad, "", "Malformed PLAIN message");
    co_return;
  }
  // Acting as another user (authzid) needs admin rights, which do not exist yet.
  if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
    co_await s.auth_failed();
    s.out().tagged(cmd.tag, Reply::no, "AUTHORIZATIONFAILED", "Not authorized to act as that user");
    co_return;
  }
  co_await finish_password_login(s, cmd.tag, std::move(creds->authcid), std::move(creds->password));
}

asio::awaitable<void> authenticate_scram(Session& s, const Command& cmd) {
  auth::ScramServer scram;
  auto client_first = co_await first_response(s, cmd);
  if (!client_first) co_return;
  auto name = scram.client_first(*client_first);
  if (!name) {
    s.out().tagged(cmd.tag, Reply::bad, "", "Malformed SCRAM client-first-message");
    co_return;
  }
  s.note("user=\"" + ascii::printable(*name) + "\"");
  auth::UserDb& users = s.services().users;
  auto record = co_await net::run_blocking(s.services().blocking,
                                           [&] { return users.find(*name); });
  if (!record && record.code() == Errc::internal) {
    answer_error(s.out(), cmd.tag, record.error(), "Authentication is unavailable", s.id());
    co_return;
  }
  // An unknown user (or one imported without SCRAM keys) gets credentials that
  // look real and never verify, so the exchange does not reveal who exists.
  bool usable = record && record->scram.iterations > 0;
  auth::ScramCredentials creds =
      usable ? record->scram : auth::fake_scram_credentials(*name, s.services().scram_secret);
  auto client_final = co_await exchange(s, cmd.tag, scram.server_first(creds));
  if (!client_final) co_return;
  auto server_final = scram.client_final(*client_final);
  if (!server_final || !usable) {
    co_await s.auth_failed();
    s.out().tagged(cmd.tag, Reply::no, "AUTHENTICATIONFAILED", "Authentication failed");
    co_return;
  }
  if (!scram.authzid().empty() && scram.authzid() != *name) {
    co_await s.auth_failed();
    s.out().tagged(cmd.tag, Reply::no, "AUTHORIZATIONFAILED", "Not authorized to act as that user");
    co_return;
  }
  // RFC 9051 §6.2.2: the server's final data goes in a last challenge, which
  // the client answers with an empty response.
  auto ack = co_await exchange(s, cmd.tag, *server_final);
  if (!ack) co_return;
  if (Status opened = co_await s.log_in(record->name.full()); !opened) {
    answer_error(s.out(), cmd.tag, opened.error(), "Cannot open the mailboxes", s.id());
    co_return;
  }
  s.out().tagged(cmd.tag, Reply::ok, "CAPABILITY " + s.capabilities(), "Logged in");
}

}  // namespace

asio::awaitable<void> cmd_authenticate(Session& s, const Command& cmd) {
  const auto& mechanism = std::get<AuthenticateArgs>(cmd.args).mechanism;
  if (mechanism == "PLAIN") {
    co_await authenticate_plain(s, cmd);
  } else if (mechanism == "SCRAM-SHA-256") {
    co_await authenticate_scram(s, cmd);
  } else {
    s.out().tagged(cmd.tag, Reply::no, "CANNOT", "Unsupported authentication mechanism");
  }
}

}  // namespace courriel::imap
