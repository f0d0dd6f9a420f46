// LOGIN — RFC 9051 §6.2.3. Refused without TLS unless the configuration allows
// cleartext here (LOGINDISABLED is then advertised, RFC 9051 §6.2.3).
#include "base/ascii.h"
#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/session.h"
#include "net/blocking.h"

namespace courriel::imap {

asio::awaitable<void> finish_password_login(Session& s, std::string_view tag, std::string user,
                                            std::string password) {
  s.note("user=\"" + ascii::printable(user) + "\"");
  auth::UserDb& users = s.services().users;
  // argon2id costs tens of milliseconds of CPU: never on the event loop.
  auto record = co_await net::run_blocking(s.services().blocking,
                                           [&] { return users.verify(user, password); });
  if (record) {
    if (Status opened = co_await s.log_in(record->name.full()); !opened) {
      answer_error(s.out(), tag, opened.error(), "Cannot open the mailboxes", s.id());
      co_return;
    }
    s.out().tagged(tag, Reply::ok, "CAPABILITY " + s.capabilities(), "Logged in");
  } else if (record.code() == Errc::auth_failed) {
    co_await s.auth_failed();
    s.out().tagged(tag, Reply::no, "AUTHENTICATIONFAILED", "Authentication failed");
  } else {
    answer_error(s.out(), tag, record.error(), "Authentication is unavailable", s.id());
  }
}

asio::awaitable<void> cmd_login(Session& s, const Command& cmd) {
  if (!s.cleartext_allowed()) {
    s.out().tagged(cmd.tag, Reply::no, "PRIVACYREQUIRED",
                   "LOGIN is disabled on unencrypted connections; use STARTTLS");
    co_return;
  }
  const auto& args = std::get<LoginArgs>(cmd.args);
  co_await finish_password_login(s, cmd.tag, args.user, args.password);
}

}  // namespace courriel::imap
