#include "net/listen_address.h"

#include <arpa/inet.h>

#include "base/ascii.h"

namespace courriel::net {

std::string ListenAddress::to_string() const {
  if (is_unix()) return "unix:" + unix_path;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<std::optional<ListenAddress>> parse_listen_address(std::string_view text) {
  if (ascii::iequals(text, "off")) return std::optional<ListenAddress>{};
  if (text.starts_with("unix:")) {
    std::string path(text.substr(5));
    if (path.empty() || path.front() != '/')
      return make_error(Errc::invalid, "a Unix socket path must be absolute: unix:/path");
    if (path.size() > 107 || path.find('\0') != std::string::npos)
      return make_error(Errc::invalid, "Unix socket path too long (at most 107 bytes)");
    ListenAddress a;
    a.unix_path = std::move(path);
    return std::optional<ListenAddress>{std::move(a)};
  }
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return make_error(Errc::invalid, "expected [v6-address]:port or off");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return make_error(Errc::invalid, "expected host:port or off");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return make_error(Errc::invalid, "an IPv6 address must be written [addr]:port");
  }
  auto number = ascii::parse_u64(port, 65535);
  if (!number) return make_error(Errc::invalid, "bad port '" + std::string(port) + "'");
  std::string host_text(host);
  unsigned char buf[16];
  if (inet_pton(AF_INET, host_text.c_str(), buf) != 1 && inet_pton(AF_INET6, host_text.c_str(), buf) != 1)
    return make_error(Errc::invalid, "'" + host_text + "' is not an IP address");
  return std::optional<ListenAddress>{ListenAddress{host_text, uint16_t(*number), {}}};
}

}  // namespace courriel::net
