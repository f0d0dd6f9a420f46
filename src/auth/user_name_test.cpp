#include "auth/user_name.h"

#include <gtest/gtest.h>

namespace courriel::auth {
namespace {

using namespace std::string_view_literals;

TEST(UserName, ParsesAndLowercases) {
  auto r = parse_user_name("Alice.Smith@Example.ORG", "default.test");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->local, "alice.smith");
  EXPECT_EQ(r->domain, "example.org");
  EXPECT_EQ(r->full(), "alice.smith@example.org");

  r = parse_user_name("bob_1-x", "Mail.Example.COM");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->full(), "bob_1-x@mail.example.com");

  EXPECT_TRUE(parse_user_name("a@localhost", ""));
  EXPECT_TRUE(parse_user_name(std::string(64, 'a') + "@x", ""));
  std::string long_domain = std::string(63, 'd') + "." + std::string(63, 'd') + "." +
                            std::string(63, 'd') + "." + std::string(61, 'd');  // 253
  EXPECT_TRUE(parse_user_name("a@" + long_domain, ""));
}

TEST(UserName, Rejections) {
  const std::string long_domain = std::string(63, 'd') + "." + std::string(63, 'd') + "." +
                                  std::string(63, 'd') + "." + std::string(62, 'd');  // 254
  const std::string cases[] = {
      "",
      "@example.org",
      "user@",
      "user",  // no default domain
      "a@b@c",
      "../etc@example.org",
      ".hidden@example.org",
      "trailing.@example.org",
      "a..b@example.org",
      "a/b@example.org",
      "a+tag@example.org",
      "a b@example.org",
      std::string("a\0b@example.org", 15),
      "caf\xC3\xA9@example.org",
      std::string(65, 'a') + "@example.org",
      "a@" + long_domain,
      "a@" + std::string(64, 'd') + ".org",
      "a@.example.org",
      "a@example.org.",
      "a@example..org",
      "a@-example.org",
      "a@example-.org",
      "a@exa_mple.org",
      "a@exa/mple.org",
      "a@..",
  };
  for (const auto& c : cases) {
    auto r = parse_user_name(c, "");
    EXPECT_FALSE(r.ok()) << c;
    if (!r.ok()) {
      EXPECT_EQ(r.code(), Errc::invalid);
      EXPECT_FALSE(r.error().detail.empty());
    }
  }
  EXPECT_FALSE(parse_user_name("user", "bad domain"));
  auto r = parse_user_name("a+b@x.org", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("subaddressing"), std::string::npos);
  r = parse_user_name(std::string("a\0b", 3), "x.org");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("0x00"), std::string::npos);
}

}  // namespace
}  // namespace courriel::auth
