#include "imap/status_response.h"

#include <string>

#include "imap/parser/response_syntax.h"

namespace courriel::imap {
namespace {

std::string_view item_name(StatusItem item) {
  switch (item) {
    case StatusItem::messages:
      return "MESSAGES";
    case StatusItem::uidnext:
      return "UIDNEXT";
    case StatusItem::uidvalidity:
      return "UIDVALIDITY";
    case StatusItem::unseen:
      return "UNSEEN";
    case StatusItem::deleted:
      return "DELETED";
    case StatusItem::size:
      return "SIZE";
    case StatusItem::recent:
      return "RECENT";
    case StatusItem::highestmodseq:
      return "HIGHESTMODSEQ";
    case StatusItem::appendlimit:
      return "APPENDLIMIT";
  }
  return "";
}

}  // namespace

void append_status_response(std::string& out, std::string_view utf8_name,
                            const store::MailboxStatus& st, std::span<const StatusItem> items,
                            uint64_t append_limit, bool utf8) {
  out += "* STATUS ";
  append_mailbox(out, utf8_name, utf8);
  out += " (";
  uint32_t seen = 0;  // bit per StatusItem already written
  bool first = true;
  for (StatusItem item : items) {
    const uint32_t bit = 1u << unsigned(item);
    if (seen & bit) continue;
    seen |= bit;
    if (!first) out += ' ';
    first = false;
    out += item_name(item);
    out += ' ';
    switch (item) {
      case StatusItem::messages:
        out += std::to_string(st.messages);
        break;
      case StatusItem::uidnext:
        out += std::to_string(st.uidnext);
        break;
      case StatusItem::uidvalidity:
        out += std::to_string(st.uidvalidity);
        break;
      case StatusItem::unseen:
        out += std::to_string(st.unseen);
        break;
      case StatusItem::deleted:
        out += std::to_string(st.deleted);
        break;
      case StatusItem::size:
        out += std::to_string(st.size);
        break;
      case StatusItem::recent:
        out += std::to_string(st.recent);
        break;
      case StatusItem::highestmodseq:
        out += std::to_string(st.highest_modseq);
        break;
      case StatusItem::appendlimit:
        out += append_limit ? std::to_string(append_limit) : std::string("NIL");
        break;
    }
  }
  out += ")\r\n";
}

}  // namespace courriel::imap
