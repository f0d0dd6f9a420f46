#include "mail/header_section.h"

#include "base/ascii.h"

namespace courriel::mail {

std::optional<size_t> body_offset(std::string_view m) {
  // An empty first line means an empty header.
  if (m.starts_with("\r\n")) return 2;
  if (m.starts_with("\n")) return 1;
  for (size_t i = m.find('\n'); i != std::string_view::npos; i = m.find('\n', i + 1)) {
    if (i + 1 < m.size() && m[i + 1] == '\n') return i + 2;
    if (i + 2 < m.size() && m[i + 1] == '\r' && m[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

std::string header_fields(std::string_view header, const std::vector<std::string>& names,
                          bool exclude) {
  std::string out;
  bool keep = false;
  bool ended = false;  // the header had its empty line (a headers-only message may not)
  size_t pos = 0;
  while (pos < header.size()) {
    size_t eol = header.find('\n', pos);
    size_t next = eol == std::string_view::npos ? header.size() : eol + 1;
    std::string_view line = header.substr(pos, next - pos);
    std::string_view content = line;
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
      content.remove_suffix(1);
    pos = next;
    if (content.empty()) {  // the empty line that ends the header
      ended = true;
      break;
    }
    if (content[0] == ' ' || content[0] == '\t') {
      // A continuation line belongs to the field before it (RFC 5322 §2.2.3).
    } else {
      size_t colon = content.find(':');
      std::string_view name = content.substr(0, colon == std::string_view::npos ? 0 : colon);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
      bool listed = false;
      for (const auto& n : names) listed = listed || ascii::iequals(n, name);
      keep = colon != std::string_view::npos && (listed != exclude);
    }
    if (keep) out.append(content).append("\r\n");
  }
  if (ended) out.append("\r\n");
  return out;
}

}  // namespace courriel::mail
