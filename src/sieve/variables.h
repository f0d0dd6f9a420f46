// The variables extension (RFC 5229): variable names, "${...}" expansion in
// strings, and the "set" modifiers. Pure, thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace courriel::sieve {

// Values longer than this are truncated (RFC 5229 §3: implementations may
// limit lengths); at most kMaxVariables names are kept.
inline constexpr size_t kMaxVariableSize = 64 * 1024;
inline constexpr size_t kMaxVariables = 256;

// RFC 5229 §3: variable-name = (ALPHA / "_") *(ALPHA / DIGIT / "_").
bool valid_variable_name(std::string_view name);

struct Variables {
  std::map<std::string, std::string> named;  // keys lowercased
  std::vector<std::string> match;            // ${0} .. ${9}
  bool set(std::string_view name, std::string value);
  const std::string* get(std::string_view name) const;
};

// `s` with every "${name}" and "${N}" replaced by its value (unknown ones by
// "" ; RFC 5229 §3). Malformed references stay as written.
std::string expand(std::string_view s, const Variables& vars);

// Wildcards of :matches ('*', '?', '\') quoted with '\' (":quotewildcard").
std::string quote_wildcard(std::string_view s);

// "set" modifiers in RFC 5229 §4.1 order of precedence; flags from the tags.
struct SetModifiers {
  bool lower = false, upper = false, lowerfirst = false, upperfirst = false;
  bool quotewildcard = false, length = false;
};
std::string apply_modifiers(std::string value, const SetModifiers& m);

}  // namespace courriel::sieve
