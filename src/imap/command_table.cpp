#include "imap/command_table.h"

#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {
namespace {

constexpr uint8_t kAny = uint8_t(SessionState::not_authenticated) |
                         uint8_t(SessionState::authenticated) | uint8_t(SessionState::selected);
constexpr uint8_t kNotAuthenticated = uint8_t(SessionState::not_authenticated);
constexpr uint8_t kAuthenticated = uint8_t(SessionState::authenticated);

}  // namespace

const CommandSpec* find_command(CommandName name) {
  static const CommandSpec capability{cmd_capability, kAny};
  static const CommandSpec noop{cmd_noop, kAny};
  static const CommandSpec logout{cmd_logout, kAny};
  static const CommandSpec id{cmd_id, kAny};
  static const CommandSpec starttls{cmd_starttls, kNotAuthenticated};
  static const CommandSpec login{cmd_login, kNotAuthenticated};
  static const CommandSpec authenticate{cmd_authenticate, kNotAuthenticated};
  static const CommandSpec enable{cmd_enable, kAuthenticated};  // RFC 5161 §3.1
  switch (name) {
    case CommandName::capability: return &capability;
    case CommandName::noop: return &noop;
    case CommandName::logout: return &logout;
    case CommandName::id: return &id;
    case CommandName::starttls: return &starttls;
    case CommandName::login: return &login;
    case CommandName::authenticate: return &authenticate;
    case CommandName::enable: return &enable;
    default: return nullptr;
  }
}

}  // namespace courriel::imap
