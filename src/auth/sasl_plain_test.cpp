#include "auth/sasl_plain.h"

#include <gtest/gtest.h>

namespace courriel::auth {
namespace {

using namespace std::string_view_literals;

TEST(SaslPlain, DecodesWithAndWithoutAuthzid) {
  auto r = decode_sasl_plain("\0tim\0tanstaaftanstaaf"sv);  // RFC 4616 §4
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->authzid, "");
  EXPECT_EQ(r->authcid, "tim");
  EXPECT_EQ(r->password, "tanstaaftanstaaf");

  r = decode_sasl_plain("Ursel\0Kurt\0xipj3plmq"sv);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->authzid, "Ursel");
  EXPECT_EQ(r->authcid, "Kurt");
  EXPECT_EQ(r->password, "xipj3plmq");
}

TEST(SaslPlain, Rejections) {
  const std::string long_part(256, 'x');
  const std::string_view cases[] = {
      ""sv, "user"sv, "\0user"sv, "\0\0pass"sv, "\0user\0"sv, "a\0b\0c\0d"sv, "\0\0\0"sv,
  };
  for (auto c : cases) {
    auto r = decode_sasl_plain(c);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.code(), Errc::invalid);
  }
  for (const std::string& c :
       {long_part + '\0' + "u" + '\0' + "p", std::string(1, '\0') + long_part + '\0' + "p",
        std::string(1, '\0') + "u" + '\0' + long_part}) {
    EXPECT_FALSE(decode_sasl_plain(c).ok());
  }
  std::string max_ok =
      std::string(255, 'a') + '\0' + std::string(255, 'b') + '\0' + std::string(255, 'c');
  EXPECT_TRUE(decode_sasl_plain(max_ok).ok());
  // The password never appears in an error detail.
  auto r = decode_sasl_plain("\0\0hunter2"sv);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace courriel::auth
