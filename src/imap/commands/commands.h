// Every command handler, one file each (or one per tight family) in this folder.
// A handler writes its untagged responses and exactly one tagged response.
#pragma once

#include <asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "imap/parser/command.h"
#include "store/store.h"

namespace courriel::imap {

class Session;
class SelectedMailbox;

// "* <seq> FETCH (FLAGS (...) [UID <uid>])\r\n" (store.cpp): STORE's answer,
// and FETCH's when it sets \Seen.
void append_flags_fetch(std::string& out, const SelectedMailbox& mailbox,
                        const store::MessageMeta& meta, bool with_uid);

asio::awaitable<void> cmd_capability(Session& s, const Command& cmd);  // capability.cpp
asio::awaitable<void> cmd_noop(Session& s, const Command& cmd);        // noop.cpp
asio::awaitable<void> cmd_logout(Session& s, const Command& cmd);      // logout.cpp
asio::awaitable<void> cmd_id(Session& s, const Command& cmd);          // id.cpp
asio::awaitable<void> cmd_starttls(Session& s, const Command& cmd);    // starttls.cpp
asio::awaitable<void> cmd_login(Session& s, const Command& cmd);       // login.cpp
asio::awaitable<void> cmd_authenticate(Session& s, const Command& cmd);  // authenticate.cpp
asio::awaitable<void> cmd_enable(Session& s, const Command& cmd);      // enable.cpp

asio::awaitable<void> cmd_select(Session& s, const Command& cmd);     // select.cpp (and EXAMINE)
asio::awaitable<void> cmd_close(Session& s, const Command& cmd);      // close.cpp (and UNSELECT)
asio::awaitable<void> cmd_expunge(Session& s, const Command& cmd);    // expunge.cpp (and UID EXPUNGE)
asio::awaitable<void> cmd_store(Session& s, const Command& cmd);      // store.cpp
asio::awaitable<void> cmd_fetch(Session& s, const Command& cmd);      // fetch.cpp
asio::awaitable<void> cmd_copy(Session& s, const Command& cmd);       // copy.cpp (and MOVE)
asio::awaitable<void> cmd_append(Session& s, const Command& cmd);     // append.cpp
asio::awaitable<void> cmd_idle(Session& s, const Command& cmd);       // idle.cpp
asio::awaitable<void> cmd_search(Session& s, const Command& cmd);     // search.cpp
asio::awaitable<void> cmd_sort(Session& s, const Command& cmd);       // search.cpp
asio::awaitable<void> cmd_thread(Session& s, const Command& cmd);     // search.cpp

// Mailbox management (authenticated and selected states).
asio::awaitable<void> cmd_create(Session& s, const Command& cmd);       // create.cpp
asio::awaitable<void> cmd_delete(Session& s, const Command& cmd);       // delete.cpp
asio::awaitable<void> cmd_rename(Session& s, const Command& cmd);       // rename.cpp
asio::awaitable<void> cmd_subscribe(Session& s, const Command& cmd);    // subscribe.cpp
asio::awaitable<void> cmd_unsubscribe(Session& s, const Command& cmd);  // subscribe.cpp
asio::awaitable<void> cmd_list(Session& s, const Command& cmd);         // list.cpp
asio::awaitable<void> cmd_lsub(Session& s, const Command& cmd);         // list.cpp
asio::awaitable<void> cmd_namespace(Session& s, const Command& cmd);    // namespace.cpp
asio::awaitable<void> cmd_status(Session& s, const Command& cmd);       // status.cpp

// Quota (RFC 9208): one root "" per account.
asio::awaitable<void> cmd_getquota(Session& s, const Command& cmd);      // quota.cpp
asio::awaitable<void> cmd_getquotaroot(Session& s, const Command& cmd);  // quota.cpp
asio::awaitable<void> cmd_setquota(Session& s, const Command& cmd);      // quota.cpp

// Shared by LOGIN and AUTHENTICATE PLAIN (login.cpp): verifies the password off
// the event loop and answers OK [CAPABILITY ...] or NO [AUTHENTICATIONFAILED].
asio::awaitable<void> finish_password_login(Session& s, std::string_view tag, std::string user,
                                            std::string password);

}  // namespace courriel::imap
