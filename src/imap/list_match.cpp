#include "imap/list_match.h"

#include <algorithm>
#include <vector>

namespace courriel::imap {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

// True for a name whose first level is INBOX (names arrive normalised).
bool inbox_first_level(std::string_view name, char sep) {
  return name.starts_with("INBOX") && (name.size() == 5 || name[5] == sep);
}

}  // namespace

bool list_match(std::string_view pattern, std::string_view name, char sep) {
  // A simulation of the pattern's NFA: live[p] says the first p pattern bytes
  // can match the name bytes consumed so far. Wildcards may match nothing, so
  // each step is followed by an epsilon pass over the positions at wildcards.
  const size_t m = pattern.size();
  const size_t inbox_len = inbox_first_level(name, sep) ? 5 : 0;
  std::vector<char> live(m + 1, 0), next(m + 1, 0);
  auto close = [&](std::vector<char>& v) {
    for (size_t p = 0; p < m; ++p)
      if (v[p] && (pattern[p] == '*' || pattern[p] == '%')) v[p + 1] = 1;
  };
  live[0] = 1;
  close(live);
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool fold = i < inbox_len;
    bool any = false;
    std::fill(next.begin(), next.end(), 0);
    for (size_t p = 0; p < m; ++p) {
      if (!live[p]) continue;
      const char pc = pattern[p];
      if (pc == '*' || (pc == '%' && c != sep)) {
        next[p] = 1;  // the wildcard takes this byte and may take more
        any = true;
      } else if (pc == '%') {
        continue;
      } else if (pc == c || (fold && lower(pc) == lower(c))) {
        next[p + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    close(next);
    live.swap(next);
  }
  return live[m] != 0;
}

std::string list_canonical_pattern(std::string_view reference, std::string_view pattern, char sep) {
  if (reference.empty() || (!pattern.empty() && pattern.front() == sep))
    return std::string(pattern);
  std::string out(reference);
  out += pattern;
  return out;
}

}  // namespace courriel::imap
