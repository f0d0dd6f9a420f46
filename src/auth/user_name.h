// User names: "local@domain", canonical lower-case ASCII.
//
// A user name becomes folder names under the data dir (<data>/<domain>/<local>,
// DESIGN.md §3), so this is the one gate that keeps a name from escaping its
// folder: only [a-z0-9._-] in the local part and DNS-style labels in the domain,
// never '/', NUL, 8-bit bytes, '..', or a leading '.'. '+' is refused because it
// is reserved for subaddressing (user+detail@domain, RFC 5233).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::auth {

struct UserName {
  std::string local;   // 1-64 of [a-z0-9._-], no leading/trailing '.', no ".."
  std::string domain;  // 1-253 chars, '.'-separated labels of [a-z0-9-] (1-63 chars,
                       // no leading/trailing '-')
  std::string full() const { return local + "@" + domain; }  // "local@domain"
  bool operator==(const UserName&) const = default;
};

// Parses "local@domain" or a bare "local" (which gets `default_domain`),
// folding ASCII upper case to lower case. Errc::invalid, with a detail naming
// the rule broken, for anything else (including a bare local part when
// `default_domain` is empty or itself invalid).
Result<UserName> parse_user_name(std::string_view input, std::string_view default_domain);

}  // namespace courriel::auth
