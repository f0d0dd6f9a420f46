#include "mail/address.h"

#include <gtest/gtest.h>

using namespace courriel::mail;

namespace {
Address A(std::optional<std::string> name, std::optional<std::string> adl,
          std::optional<std::string> mailbox, std::optional<std::string> host) {
  return Address{std::move(name), std::move(adl), std::move(mailbox), std::move(host)};
}
constexpr auto N = std::nullopt;
}  // namespace

TEST(Address, Simple) {
  EXPECT_EQ(parse_addresses(" alice@example.com"),
            std::vector<Address>{A(N, N, "alice", "example.com")});
  EXPECT_EQ(parse_addresses("Alice Smith <alice@example.com>, bob@b.org"),
            (std::vector<Address>{A("Alice Smith", N, "alice", "example.com"),
                                  A(N, N, "bob", "b.org")}));
}

TEST(Address, QuotedPhraseAndEscapes) {
  EXPECT_EQ(parse_addresses(R"("Smith, John \"JJ\"" <j@x.org>)"),
            std::vector<Address>{A(R"(Smith, John "JJ")", N, "j", "x.org")});
  // Words joined with one space where the header had whitespace.
  EXPECT_EQ(parse_addresses("John  Q.\r\n Public <jqp@x.org>"),
            std::vector<Address>{A("John Q. Public", N, "jqp", "x.org")});
  // Encoded words stay raw.
  EXPECT_EQ(parse_addresses("=?UTF-8?B?SsO2cmc=?= <j@x.de>"),
            std::vector<Address>{A("=?UTF-8?B?SsO2cmc=?=", N, "j", "x.de")});
}

TEST(Address, QuotedLocalPartKeepsQuotes) {
  EXPECT_EQ(parse_addresses(R"("john doe"@example.com)"),
            std::vector<Address>{A(N, N, "\"john doe\"", "example.com")});
  EXPECT_EQ(parse_addresses("first . last @ example . com"),
            std::vector<Address>{A(N, N, "first.last", "example.com")});
}

TEST(Address, Comments) {
  EXPECT_EQ(parse_addresses("pete(his account)@silly.test(his host)"),
            std::vector<Address>{A("his host", N, "pete", "silly.test")});
  EXPECT_EQ(parse_addresses("a@b (Real (nested) Name)"),
            std::vector<Address>{A("Real (nested) Name", N, "a", "b")});
  EXPECT_EQ(parse_addresses("Name (comment) <a@b> (ignored)"),
            std::vector<Address>{A("Name", N, "a", "b")});
}

TEST(Address, Groups) {
  EXPECT_EQ(parse_addresses("undisclosed-recipients:;"),
            (std::vector<Address>{A(N, N, "undisclosed-recipients", N), A(N, N, N, N)}));
  EXPECT_EQ(parse_addresses("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, x@y"),
            (std::vector<Address>{A(N, N, "A Group", N), A("Ed Jones", N, "c", "a.test"),
                                  A(N, N, "joe", "where.test"), A("John", N, "jdoe", "one.test"),
                                  A(N, N, N, N), A(N, N, "x", "y")}));
  // Unterminated group: closed at the end of the field.
  EXPECT_EQ(parse_addresses("g: a@b"),
            (std::vector<Address>{A(N, N, "g", N), A(N, N, "a", "b"), A(N, N, N, N)}));
}

TEST(Address, ObsRoute) {
  EXPECT_EQ(parse_addresses("Joe <@route1.test,@route2.test:joe@where.test>"),
            std::vector<Address>{A("Joe", "@route1.test,@route2.test", "joe", "where.test")});
}

TEST(Address, MissingPieces) {
  EXPECT_EQ(parse_addresses("root"), std::vector<Address>{A(N, N, "root", "MISSING_DOMAIN")});
  EXPECT_EQ(parse_addresses("<user>"), std::vector<Address>{A(N, N, "user", "MISSING_DOMAIN")});
  EXPECT_EQ(parse_addresses("<>"), std::vector<Address>{A(N, N, "", "")});
  EXPECT_EQ(parse_addresses(""), std::vector<Address>{});
  EXPECT_EQ(parse_addresses(" , ,a@b,,"), std::vector<Address>{A(N, N, "a", "b")});
  EXPECT_EQ(parse_addresses("a@[192.0.2.1]"), std::vector<Address>{A(N, N, "a", "[192.0.2.1]")});
  // Unterminated quote and comment do not crash or loop.
  parse_addresses("\"abc");
  parse_addresses("(abc");
  parse_addresses("<a@b");
  parse_addresses(":;:;<<>>@@,,..\\");
}

TEST(Address, EightBitNames) {
  EXPECT_EQ(parse_addresses("J\xC3\xB6rg <j@x.de>"),
            std::vector<Address>{A("J\xC3\xB6rg", N, "j", "x.de")});
  EXPECT_EQ(parse_addresses("J\xF6rg <j@x.de>"), std::vector<Address>{A("J\xF6rg", N, "j", "x.de")});
}
