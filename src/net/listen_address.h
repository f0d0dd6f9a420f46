// ListenAddress: the `host:port` or `off` form used by the command line and
// the config file for every listener (IMAP, IMAPS, later POP3, LMTP, ...).
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
  std::string to_string() const;  // "host:port", IPv6 in brackets
};

// Parses "host:port", "[v6]:port" or "off" (-> nullopt). Host must be a
// literal address so that binding never depends on DNS at startup.
Result<std::optional<ListenAddress>> parse_listen_address(std::string_view text);

}  // namespace courriel::net
