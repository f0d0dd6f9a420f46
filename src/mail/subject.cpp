#include "mail/subject.h"

#include "base/ascii.h"
#include "mail/decode.h"

namespace courriel::mail {
namespace {

bool wsp(char c) { return c == ' ' || c == '\t'; }

// Length of a subj-blob ("[" *BLOBCHAR "]" *WSP) at the start of s, or 0.
size_t blob_len(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  size_t i = 1;
  while (i < s.size() && s[i] != '[' && s[i] != ']') ++i;
  if (i >= s.size() || s[i] != ']') return 0;
  ++i;
  while (i < s.size() && wsp(s[i])) ++i;
  return i;
}

// Length of a subj-refwd ("re" / "fw" ["d"]) *WSP [subj-blob] ":" at s, or 0.
size_t refwd_len(std::string_view s) {
  size_t i;
  if (ascii::istarts_with(s, "re")) i = 2;
  else if (ascii::istarts_with(s, "fwd")) i = 3;
  else if (ascii::istarts_with(s, "fw")) i = 2;
  else return 0;
  while (i < s.size() && wsp(s[i])) ++i;
  i += blob_len(s.substr(i));
  if (i < s.size() && s[i] == ':') return i + 1;
  return 0;
}

// Length of one subj-leader ((*subj-blob subj-refwd) / WSP) at s, or 0.
size_t leader_len(std::string_view s) {
  if (!s.empty() && wsp(s[0])) return 1;
  size_t i = 0;
  while (size_t b = blob_len(s.substr(i))) i += b;
  size_t r = refwd_len(s.substr(i));
  return r ? i + r : 0;
}

}  // namespace

std::string base_subject(std::string_view raw) {
  // Step 1: decode, tabs and line breaks to spaces, collapse runs.
  std::string decoded = decode_header_text(raw);
  std::string s;
  for (char c : decoded) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && (s.empty() || s.back() == ' ')) continue;
    s.push_back(c);
  }
  while (true) {
    // Step 2: trailers.
    while (true) {
      while (!s.empty() && s.back() == ' ') s.pop_back();
      if (s.size() >= 5 && ascii::iequals(std::string_view(s).substr(s.size() - 5), "(fwd)"))
        s.erase(s.size() - 5);
      else
        break;
    }
    // Steps 3-5: leaders and blobs.
    bool changed = true;
    while (changed) {
      changed = false;
      while (size_t n = leader_len(s)) {
        s.erase(0, n);
        changed = true;
      }
      size_t b = blob_len(s);
      if (b > 0 && b < s.size()) {
        s.erase(0, b);
        changed = true;
      }
    }
    // Step 6: [fwd: ...]
    if (s.size() >= 6 && ascii::istarts_with(s, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      continue;
    }
    break;
  }
  return s;
}

}  // namespace courriel::mail
