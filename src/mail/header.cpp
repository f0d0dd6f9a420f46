#include "mail/header.h"

#include "base/ascii.h"

namespace courriel::mail {

std::vector<HeaderField> header_fields_of(std::string_view h) {
  std::vector<HeaderField> out;
  size_t pos = 0;
  bool open = false;  // the last field may take continuation lines
  while (pos < h.size()) {
    size_t eol = h.find('\n', pos);
    size_t next = eol == std::string_view::npos ? h.size() : eol + 1;
    size_t end = eol == std::string_view::npos ? h.size() : eol;
    if (end > pos && h[end - 1] == '\r') --end;
    if (end == pos) break;  // the empty line
    char c = h[pos];
    if (c == ' ' || c == '\t') {
      if (open) {
        HeaderField& f = out.back();
        f.value = std::string_view(f.value.data(), h.data() + end - f.value.data());
      }
    } else {
      std::string_view line = h.substr(pos, end - pos);
      size_t colon = line.find(':');
      open = false;
      if (colon != std::string_view::npos && colon > 0) {
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        bool ok = !name.empty();
        for (char n : name) ok = ok && static_cast<unsigned char>(n) > 32 && n != 127;
        if (ok) {
          out.push_back(HeaderField{name, line.substr(colon + 1)});
          open = true;
        }
      }
    }
    pos = next;
  }
  return out;
}

std::string unfold(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v)
    if (c != '\r' && c != '\n') out.push_back(c);
  size_t b = out.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  size_t e = out.find_last_not_of(" \t");
  return out.substr(b, e - b + 1);
}

std::optional<std::string> header_value(const std::vector<HeaderField>& fields,
                                        std::string_view name) {
  for (const auto& f : fields)
    if (ascii::iequals(f.name, name)) return unfold(f.value);
  return std::nullopt;
}

}  // namespace courriel::mail
