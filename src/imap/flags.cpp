#include "imap/flags.h"

#include <algorithm>

#include "base/ascii.h"

namespace courriel::imap {
namespace {

struct SystemFlagName {
  store::SystemFlag bit;
  const char* name;
};
constexpr SystemFlagName kSystemFlags[] = {
    {store::kAnswered, "\\Answered"}, {store::kFlagged, "\\Flagged"},
    {store::kDeleted, "\\Deleted"},   {store::kSeen, "\\Seen"},
    {store::kDraft, "\\Draft"},
};

bool keyword_less(const std::string& a, const std::string& b) {
  return ascii::lower(a) < ascii::lower(b);
}

std::string system_flags_text() {
  std::string out;
  for (const auto& f : kSystemFlags) out += std::string(out.empty() ? "" : " ") + f.name;
  return out;
}

}  // namespace

Result<store::Flags> flags_from_wire(const FlagList& list) {
  store::Flags flags;
  for (const std::string& f : list) {
    if (!f.empty() && f[0] == '\\') {
      auto it = std::find_if(std::begin(kSystemFlags), std::end(kSystemFlags),
                             [&](const SystemFlagName& s) { return ascii::iequals(s.name, f); });
      if (it == std::end(kSystemFlags))
        return make_error(Errc::invalid, "Flag " + ascii::printable(f) + " cannot be set");
      flags.system |= it->bit;
      continue;
    }
    // Keywords compare case-insensitively (RFC 9051 §2.3.2): keep the first spelling.
    auto pos = std::lower_bound(flags.keywords.begin(), flags.keywords.end(), f, keyword_less);
    if (pos == flags.keywords.end() || !ascii::iequals(*pos, f)) flags.keywords.insert(pos, f);
  }
  return flags;
}

void append_flags(std::string& out, const store::Flags& flags, bool recent) {
  out += '(';
  bool first = true;
  auto add = [&](std::string_view name) {
    if (!first) out += ' ';
    out += name;
    first = false;
  };
  for (const auto& f : kSystemFlags)
    if (flags.system & f.bit) add(f.name);
  if (recent) add("\\Recent");
  for (const auto& k : flags.keywords) add(k);
  out += ')';
}

std::string flags_response(const std::vector<std::string>& keywords) {
  std::string out = "FLAGS (" + system_flags_text();
  for (const auto& k : keywords) out += " " + k;
  return out + ")";
}

std::string permanent_flags_code(const std::vector<std::string>& keywords) {
  std::string out = "PERMANENTFLAGS (" + system_flags_text();
  for (const auto& k : keywords) out += " " + k;
  return out + " \\*)";
}

}  // namespace courriel::imap
