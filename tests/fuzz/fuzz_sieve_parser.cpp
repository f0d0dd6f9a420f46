// libFuzzer target for sieve/: parse + validate must be total on any bytes;
// a script that parses must run to completion over a fixed message, and its
// errors must carry a line number.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mail/message.h"
#include "sieve/sieve.h"

using namespace courriel;
using namespace courriel::sieve;

namespace {

constexpr std::string_view kMessage =
    "Received: from x by y; Tue, 11 Oct 2005 12:13:14 -0500\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: bob+lists@example.com, carol@example.net\r\n"
    "Subject: =?utf-8?q?caf=C3=A9?= trier\r\n"
    "Date: Tue, 11 Oct 2005 12:13:14 -0500\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "X-Multi: one\r\nX-Multi: two\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n"
    "\r\n"
    "--b\r\nContent-Type: text/plain\r\n\r\nhello noon\r\n"
    "--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+aGk8L2I+\r\n"
    "--b--\r\n";

void check(bool ok) {
  if (!ok) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto script = parse(text);
  if (!script) {
    check(script.code() == Errc::invalid);
    check(script.error().detail.rfind("line ", 0) == 0);
    return 0;
  }
  static const mail::ParsedMessage parsed = mail::parse_message(kMessage);
  Envelope env{"alice@example.org", "bob+lists@example.com", "bob@example.com"};
  Environment cfg;
  cfg.user = "bob";
  cfg.now = 1128100394;
  cfg.user_addresses = {"bob@example.com"};
  cfg.mailbox_exists = [](std::string_view m) { return m == "INBOX"; };
  cfg.vacation_seen_recently = [](std::string_view, int64_t) { return false; };
  auto actions = run(*script, Message{kMessage, &parsed}, env, cfg);
  if (!actions) {
    check(actions.error().detail.rfind("line ", 0) == 0);
    return 0;
  }
  check(actions->list.size() <= size_t(cfg.max_actions) + 2);
  return 0;
}
