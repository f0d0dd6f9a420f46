#include "sieve/variables.h"

#include "base/ascii.h"

namespace courriel::sieve {

bool valid_variable_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  if (!ascii::is_alpha(name[0]) && name[0] != '_') return false;
  for (char c : name)
    if (!ascii::is_alpha(c) && !ascii::is_digit(c) && c != '_') return false;
  return true;
}

bool Variables::set(std::string_view name, std::string value) {
  if (value.size() > kMaxVariableSize) value.resize(kMaxVariableSize);
  std::string key = ascii::lower(name);
  auto it = named.find(key);
  if (it == named.end()) {
    if (named.size() >= kMaxVariables) return false;
    named.emplace(std::move(key), std::move(value));
  } else {
    it->second = std::move(value);
  }
  return true;
}

const std::string* Variables::get(std::string_view name) const {
  auto it = named.find(ascii::lower(name));
  return it == named.end() ? nullptr : &it->second;
}

std::string expand(std::string_view s, const Variables& vars) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      size_t close = s.find('}', i + 2);
      if (close != std::string_view::npos) {
        std::string_view name = s.substr(i + 2, close - i - 2);
        bool digits = !name.empty();
        for (char c : name)
          if (!ascii::is_digit(c)) digits = false;
        if (digits) {
          auto n = ascii::parse_u64(name, 1000);
          if (n && *n < vars.match.size()) out += vars.match[*n];
          i = close + 1;
          continue;
        }
        if (valid_variable_name(name)) {
          if (const std::string* v = vars.get(name)) out += *v;
          i = close + 1;
          continue;
        }
        // A namespaced name ("${env.x}") we do not know: empty as well.
        bool dotted = !name.empty();
        for (char c : name)
          if (!ascii::is_alpha(c) && !ascii::is_digit(c) && c != '_' && c != '.') dotted = false;
        if (dotted && (ascii::is_alpha(name[0]) || name[0] == '_')) {
          i = close + 1;
          continue;
        }
      }
    }
    out += s[i++];
    if (out.size() > kMaxVariableSize * 4) break;
  }
  return out;
}

std::string quote_wildcard(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string apply_modifiers(std::string v, const SetModifiers& m) {
  // Precedence 40: lower/upper; 30: lowerfirst/upperfirst; 20: quotewildcard;
  // 10: length (RFC 5229 §4.1). Higher first.
  if (m.lower) v = ascii::lower(v);
  if (m.upper) v = ascii::upper(v);
  if (m.lowerfirst && !v.empty()) v[0] = ascii::to_lower(v[0]);
  if (m.upperfirst && !v.empty()) v[0] = ascii::to_upper(v[0]);
  if (m.quotewildcard) v = quote_wildcard(v);
  if (m.length) {
    // Length in characters (UTF-8), RFC 5229 §4.1.
    size_t n = 0;
    for (char c : v)
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    v = std::to_string(n);
  }
  return v;
}

}  // namespace courriel::sieve
