// ID — RFC 2971. The client's name and version go to the log (printable only).
#include "base/ascii.h"
#include "imap/commands/commands.h"
#include "imap/session.h"

namespace courriel::imap {

asio::awaitable<void> cmd_id(Session& s, const Command& cmd) {
  const auto& args = std::get<IdArgs>(cmd.args);
  std::string client;
  if (args.params) {
    for (const auto& [field, value] : *args.params) {
      if (value && (ascii::iequals(field, "name") || ascii::iequals(field, "version")))
        client += (client.empty() ? "" : " ") + ascii::printable(*value, 40);
    }
  }
  if (!client.empty()) s.note("client=\"" + client + "\"");
  s.out().untagged("ID (\"name\" \"Courriel\" \"version\" \"0.1.0\")");
  s.out().tagged(cmd.tag, Reply::ok, "", "ID completed");
  co_return;
}

}  // namespace courriel::imap
