#include "imap/command_table.h"

#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {
namespace {

constexpr uint8_t kAny = uint8_t(SessionState::not_authenticated) |
                         uint8_t(SessionState::authenticated) | uint8_t(SessionState::selected);
constexpr uint8_t kNotAuthenticated = uint8_t(SessionState::not_authenticated);
constexpr uint8_t kAuthenticated = uint8_t(SessionState::authenticated);
constexpr uint8_t kSelected = uint8_t(SessionState::selected);
constexpr uint8_t kLoggedIn = kAuthenticated | kSelected;

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
  static const CommandSpec select{cmd_select, kLoggedIn, SyncAfter::none};
  static const CommandSpec close{cmd_close, kSelected, SyncAfter::none};
  static const CommandSpec expunge{cmd_expunge, kSelected, SyncAfter::all};
  static const CommandSpec store{cmd_store, kSelected, SyncAfter::no_expunge_unless_uid};
  static const CommandSpec fetch{cmd_fetch, kSelected, SyncAfter::no_expunge_unless_uid};
  static const CommandSpec copy{cmd_copy, kSelected, SyncAfter::all};
  static const CommandSpec append{cmd_append, kLoggedIn, SyncAfter::all};
  static const CommandSpec idle{cmd_idle, kLoggedIn, SyncAfter::all};
  static const CommandSpec check{cmd_noop, kSelected, SyncAfter::all};
  static const CommandSpec search{cmd_search, kSelected, SyncAfter::no_expunge_unless_uid};
  static const CommandSpec sort{cmd_sort, kSelected, SyncAfter::no_expunge_unless_uid};
  static const CommandSpec thread{cmd_thread, kSelected, SyncAfter::no_expunge_unless_uid};
  static const CommandSpec create{cmd_create, kLoggedIn, SyncAfter::all};
  static const CommandSpec delete_{cmd_delete, kLoggedIn, SyncAfter::all};
  static const CommandSpec rename{cmd_rename, kLoggedIn, SyncAfter::all};
  static const CommandSpec subscribe{cmd_subscribe, kLoggedIn, SyncAfter::all};
  static const CommandSpec unsubscribe{cmd_unsubscribe, kLoggedIn, SyncAfter::all};
  static const CommandSpec list{cmd_list, kLoggedIn, SyncAfter::all};
  static const CommandSpec lsub{cmd_lsub, kLoggedIn, SyncAfter::all};
  static const CommandSpec namespace_{cmd_namespace, kLoggedIn, SyncAfter::all};
  static const CommandSpec status{cmd_status, kLoggedIn, SyncAfter::all};
  static const CommandSpec getquota{cmd_getquota, kLoggedIn, SyncAfter::all};
  static const CommandSpec getquotaroot{cmd_getquotaroot, kLoggedIn, SyncAfter::all};
  static const CommandSpec setquota{cmd_setquota, kLoggedIn, SyncAfter::all};
  switch (name) {
    case CommandName::select:
    case CommandName::examine: return &select;
    case CommandName::close:
    case CommandName::unselect: return &close;
    case CommandName::expunge: return &expunge;
    case CommandName::store: return &store;
    case CommandName::fetch: return &fetch;
    case CommandName::copy:
    case CommandName::move: return &copy;
    case CommandName::append: return &append;
    case CommandName::idle: return &idle;
    case CommandName::check: return &check;
    case CommandName::search: return &search;
    case CommandName::sort: return &sort;
    case CommandName::thread: return &thread;
    case CommandName::create: return &create;
    case CommandName::delete_: return &delete_;
    case CommandName::rename: return &rename;
    case CommandName::subscribe: return &subscribe;
    case CommandName::unsubscribe: return &unsubscribe;
    case CommandName::list: return &list;
    case CommandName::lsub: return &lsub;
    case CommandName::namespace_: return &namespace_;
    case CommandName::status: return &status;
    case CommandName::getquota: return &getquota;
    case CommandName::getquotaroot: return &getquotaroot;
    case CommandName::setquota: return &setquota;
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
