// Every command handler, one file each (or one per tight family) in this folder.
// A handler writes its untagged responses and exactly one tagged response.
#pragma once

#include <asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "imap/parser/command.h"

namespace courriel::imap {

class Session;

asio::awaitable<void> cmd_capability(Session& s, const Command& cmd);  // capability.cpp
asio::awaitable<void> cmd_noop(Session& s, const Command& cmd);        // noop.cpp
asio::awaitable<void> cmd_logout(Session& s, const Command& cmd);      // logout.cpp
asio::awaitable<void> cmd_id(Session& s, const Command& cmd);          // id.cpp
asio::awaitable<void> cmd_starttls(Session& s, const Command& cmd);    // starttls.cpp
asio::awaitable<void> cmd_login(Session& s, const Command& cmd);       // login.cpp
asio::awaitable<void> cmd_authenticate(Session& s, const Command& cmd);  // authenticate.cpp
asio::awaitable<void> cmd_enable(Session& s, const Command& cmd);      // enable.cpp

// Shared by LOGIN and AUTHENTICATE PLAIN (login.cpp): verifies the password off
// the event loop and answers OK [CAPABILITY ...] or NO [AUTHENTICATIONFAILED].
asio::awaitable<void> finish_password_login(Session& s, std::string_view tag, std::string user,
                                            std::string password);

}  // namespace courriel::imap
