// ListenAddress: the `host:port`, `unix:/path` or `off` form used by the
// command line and the config file for every listener (IMAP, IMAPS, LMTP, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::net {

struct ListenAddress {
  std::string host;  // literal IP address: "127.0.0.1", "::1", "0.0.0.0", "::"
  uint16_t port = 0;
  // Non-empty: a Unix stream socket at this absolute path (host and port unused).
  std::string unix_path;
  bool is_unix() const { return !unix_path.empty(); }
  std::string to_string() const;  // "host:port", IPv6 in brackets, or "unix:/path"
};

// Parses "host:port", "[v6]:port", "unix:/absolute/path" or "off" (-> nullopt).
// Host must be a literal address so that binding never depends on DNS at
// startup; a socket path must be absolute and fit in sockaddr_un (107 bytes).
Result<std::optional<ListenAddress>> parse_listen_address(std::string_view text);

}  // namespace courriel::net
