#include "imap/mailbox_name.h"

#include "base/ascii.h"
#include "base/utf8.h"
#include "base/mutf7.h"

namespace courriel::imap {

std::string normalize_inbox(std::string name) {
  if (ascii::istarts_with(name, "INBOX") &&
      (name.size() == 5 || name[5] == kHierarchySeparator))
    name.replace(0, 5, "INBOX");
  return name;
}

Result<std::string> mailbox_from_wire(std::string_view wire, bool utf8) {
  if (utf8) {
    if (!valid_utf8(wire)) return make_error(Errc::invalid, "Mailbox name is not valid UTF-8");
    return normalize_inbox(std::string(wire));
  }
  auto decoded = mutf7_decode(wire);
  if (!decoded) return make_error(Errc::invalid, "Mailbox name is not valid modified UTF-7");
  return normalize_inbox(std::move(*decoded));
}

}  // namespace courriel::imap
