#include "lmtp/proto/command.h"

#include <gtest/gtest.h>

using namespace courriel::lmtp;

namespace {

Command ok(std::string_view line) {
  auto out = parse_command(line);
  EXPECT_TRUE(out.ok()) << line << " -> " << out.error;
  return out.ok() ? *out.command : Command{};
}

std::string err(std::string_view line) {
  auto out = parse_command(line);
  EXPECT_FALSE(out.ok()) << line;
  return out.error;
}

}  // namespace

TEST(LmtpCommand, Verbs) {
  EXPECT_EQ(ok("LHLO mx.example.org").verb, Verb::lhlo);
  EXPECT_EQ(ok("lhlo mx.example.org").argument, "mx.example.org");
  EXPECT_EQ(ok("EHLO x").verb, Verb::ehlo);
  EXPECT_EQ(ok("HELO x").verb, Verb::helo);
  EXPECT_EQ(ok("DATA").verb, Verb::data);
  EXPECT_EQ(ok("rset").verb, Verb::rset);
  EXPECT_EQ(ok("RSET").name, "RSET");
  EXPECT_EQ(ok("NOOP").verb, Verb::noop);
  EXPECT_EQ(ok("NOOP hello there").argument, "hello there");
  EXPECT_EQ(ok("QUIT").verb, Verb::quit);
  EXPECT_EQ(ok("QUIT ").verb, Verb::quit);  // trailing space
  EXPECT_EQ(ok("VRFY bob").argument, "bob");
}

TEST(LmtpCommand, Mail) {
  Command c = ok("MAIL FROM:<alice@example.org>");
  EXPECT_EQ(c.verb, Verb::mail);
  EXPECT_EQ(c.address, "alice@example.org");
  EXPECT_FALSE(c.size);
  EXPECT_EQ(c.body, BodyType::unspecified);
  EXPECT_EQ(ok("mail from:<>").address, "");
  EXPECT_EQ(ok("MAIL FROM: <a@b>").address, "a@b");  // lenient space
  c = ok("MAIL FROM:<a@b> SIZE=12345 BODY=8BITMIME");
  EXPECT_EQ(*c.size, 12345u);
  EXPECT_EQ(c.body, BodyType::eight_bit_mime);
  EXPECT_EQ(ok("MAIL FROM:<a@b> body=7bit").body, BodyType::seven_bit);
  EXPECT_EQ(ok("MAIL FROM:<@relay.example,@r2.example:a@b>").address, "a@b");
  EXPECT_EQ(ok("MAIL FROM:<\"odd >name\"@b>").address, "\"odd >name\"@b");
}

TEST(LmtpCommand, MailErrors) {
  EXPECT_EQ(err("MAIL alice@example.org").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("MAIL FROM:alice@example.org").substr(0, 9), "501 5.1.7");
  EXPECT_EQ(err("MAIL FROM:<alice@example.org").substr(0, 9), "501 5.1.7");
  EXPECT_EQ(err("MAIL FROM:<a@b> SIZE=x").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("MAIL FROM:<a@b> SIZE=1 SIZE=2").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("MAIL FROM:<a@b> BODY=BINARYMIME").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("MAIL FROM:<a@b> RET=FULL").substr(0, 9), "555 5.5.4");
  EXPECT_EQ(err("MAIL FROM:<a\x01@b>").substr(0, 9), "501 5.1.7");
  EXPECT_EQ(err("MAIL FROM:<" + std::string(300, 'a') + ">").substr(0, 9), "501 5.1.7");
  EXPECT_EQ(ok("MAIL FROM:<@relay:>").address, "");  // a route before the null path
}

TEST(LmtpCommand, Rcpt) {
  EXPECT_EQ(ok("RCPT TO:<bob@example.org>").address, "bob@example.org");
  EXPECT_EQ(ok("rcpt to:<bob+lists@example.org>").address, "bob+lists@example.org");
  EXPECT_EQ(ok("RCPT TO:<Postmaster>").address, "Postmaster");
  EXPECT_EQ(err("RCPT TO:<>").substr(0, 9), "501 5.1.3");
  EXPECT_EQ(err("RCPT bob@example.org").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("RCPT TO:<bob@example.org> NOTIFY=NEVER").substr(0, 9), "555 5.5.4");
  EXPECT_EQ(err("RCPT TO:<a b@c>").substr(0, 9), "501 5.1.3");
}

TEST(LmtpCommand, Bdat) {
  Command c = ok("BDAT 1000");
  EXPECT_EQ(c.verb, Verb::bdat);
  EXPECT_EQ(c.chunk_size, 1000u);
  EXPECT_FALSE(c.last);
  c = ok("bdat 0 last");
  EXPECT_EQ(c.chunk_size, 0u);
  EXPECT_TRUE(c.last);
  EXPECT_EQ(err("BDAT").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("BDAT x").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("BDAT 10 FIRST").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("BDAT 10 LAST x").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("BDAT 99999999999999999999999").substr(0, 9), "501 5.5.4");
}

TEST(LmtpCommand, Errors) {
  EXPECT_EQ(err("HELP"), "500 5.5.1 Unknown command");
  EXPECT_EQ(err(""), "500 5.5.1 Unknown command");
  EXPECT_EQ(err("STARTTLS"), "500 5.5.1 Unknown command");
  EXPECT_EQ(err("LHLO").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("LHLO a b").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("DATA now").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("QUIT now").substr(0, 9), "501 5.5.4");
  EXPECT_EQ(err("VRFY").substr(0, 9), "501 5.5.4");
}

TEST(LmtpCommand, Addresses) {
  auto p = split_address("bob+lists@example.org");
  EXPECT_EQ(p.local, "bob+lists");
  EXPECT_EQ(*p.domain, "example.org");
  p = split_address("\"b\\\"o@b\"@example.org");
  EXPECT_EQ(p.local, "b\"o@b");
  EXPECT_EQ(*p.domain, "example.org");
  EXPECT_FALSE(split_address("postmaster").domain);
  auto l = split_local_part("bob+lists+x", "+");
  EXPECT_EQ(l.user, "bob");
  EXPECT_EQ(l.detail, "lists+x");
  l = split_local_part("bob", "+");
  EXPECT_EQ(l.user, "bob");
  EXPECT_EQ(l.detail, "");
  l = split_local_part("bob+x", "");
  EXPECT_EQ(l.user, "bob+x");
  l = split_local_part("bob--x", "--");
  EXPECT_EQ(l.user, "bob");
  EXPECT_EQ(l.detail, "x");
}
