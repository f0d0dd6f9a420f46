// Helpers shared by the sieve tests: run a script over a message and describe
// the resulting actions as short strings.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sieve/sieve.h"

namespace courriel::sieve::testing {

inline constexpr std::string_view kMessage =
    "Return-Path: <alice@example.org>\r\n"
    "Received: from mx.example.org by mail.example.com; Tue, 11 Oct 2005 12:13:14 -0500\r\n"
    "From: Alice Example <alice@example.org>\r\n"
    "To: Bob <bob+lists@example.com>, carol@example.net\r\n"
    "Cc: dave@Example.COM\r\n"
    "Subject: Please trier this\r\n"
    "Date: Tue, 11 Oct 2005 12:13:14 -0500\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "X-Spam-Score: 12\r\n"
    "X-Multi: one\r\n"
    "X-Multi: two\r\n"
    "X-Multi: three\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello Bob,\r\n"
    "the meeting is at noon.\r\n";

inline Envelope default_envelope() {
  Envelope e;
  e.from = "alice@example.org";
  e.to = "bob+lists@example.com";
  e.original_to = "bob+lists@example.com";
  return e;
}

inline Environment default_environment() {
  Environment c;
  c.user = "bob";
  c.now = 1128100394;  // 2005-09-30T17:13:14Z, a Friday
  c.user_addresses = {"bob@example.com", "bob+lists@example.com"};
  c.mailbox_exists = [](std::string_view m) { return m == "Spam" || m == "INBOX"; };
  return c;
}

inline std::string describe(const Action& a) {
  if (auto* k = std::get_if<KeepAction>(&a)) {
    std::string s = k->implicit ? "implicit-keep" : "keep";
    for (const auto& f : k->flags) s += " " + f;
    return s;
  }
  if (auto* f = std::get_if<FileintoAction>(&a)) {
    std::string s = "fileinto " + f->mailbox;
    if (f->copy) s += " :copy";
    if (f->create) s += " :create";
    for (const auto& x : f->flags) s += " " + x;
    return s;
  }
  if (auto* r = std::get_if<RedirectAction>(&a)) return "redirect " + r->address + (r->copy ? " :copy" : "");
  if (auto* r = std::get_if<RejectAction>(&a)) return (r->ereject ? "ereject " : "reject ") + r->reason;
  if (auto* v = std::get_if<VacationAction>(&a)) return "vacation " + v->to;
  return "?";
}

// The actions of `script` over `message`, described; or "error: ..." .
inline std::vector<std::string> run_script(std::string_view script, std::string_view message = kMessage,
                                           const Envelope& env = default_envelope(),
                                           const Environment& cfg = default_environment()) {
  auto s = parse(script);
  if (!s) return {"parse error: " + s.error().detail};
  Message m{message, nullptr};
  auto r = run(*s, m, env, cfg);
  if (!r) return {"error: " + r.error().detail};
  std::vector<std::string> out;
  for (const Action& a : r->list) out.push_back(describe(a));
  return out;
}

}  // namespace courriel::sieve::testing
