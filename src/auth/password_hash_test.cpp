#include "auth/password_hash.h"

#include <gtest/gtest.h>

#include <regex>

namespace courriel::auth {
namespace {

using namespace std::string_view_literals;

// Each argon2id hash or verify costs ~40 ms: keep these few.
TEST(PasswordHash, Argon2idRoundTrip) {
  const std::string a = hash_password("correct horse");
  EXPECT_TRUE(std::regex_match(
      a, std::regex(R"(\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})")))
      << a;
  EXPECT_TRUE(verify_password(a, "correct horse"));
  EXPECT_FALSE(verify_password(a, "correct horsE"));
  EXPECT_NE(a, hash_password("correct horse"));  // fresh salt each time
}

TEST(PasswordHash, CryptHashes) {
  // Made with: openssl passwd -6 (and -5) -salt saltsaltsalt pencil
  const std::string sha512 =
      "$6$saltsaltsalt$1p71ZRBOC3fXUBnnH4cxkg7kwgG5dMf7PmATOemaeRPogZQp0alFu0ShBACKlf."
      "zWcMDKkwKm7SJ7"
      "DB813KpO.";
  const std::string sha256 = "$5$saltsaltsalt$tom6DEvBcWRiSa99Ee2w38ZTYp0xKQww1YExc6kalX6";
  EXPECT_TRUE(verify_password(sha512, "pencil"));
  EXPECT_FALSE(verify_password(sha512, "pencil2"));
  EXPECT_TRUE(verify_password(sha256, "pencil"));
  EXPECT_FALSE(verify_password(sha256, "Pencil"));
}

TEST(PasswordHash, RejectsUnknownAndCorrupt) {
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("plain", "plain"));
  EXPECT_FALSE(verify_password("$1$abc$def", "x"));  // MD5-crypt is not accepted
  EXPECT_FALSE(verify_password("$argon2id$garbage", "x"));
  EXPECT_FALSE(verify_password("$6$", "x"));
  EXPECT_FALSE(verify_password("$6$salt$short", "x"));
  EXPECT_FALSE(verify_password("$6$saltsaltsalt$x", ""));
  EXPECT_FALSE(verify_password("$6$saltsaltsalt$x", "a\0b"sv));
  EXPECT_FALSE(verify_password("$6$salt\0$x"sv, "a"));
}

}  // namespace
}  // namespace courriel::auth
