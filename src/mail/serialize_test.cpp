#include "mail/serialize.h"

#include <gtest/gtest.h>

#include <random>

using namespace courriel::mail;

namespace {
const char kMessage[] =
    "From: \"A\" <a@b.test>, g: c@d;\r\n"
    "Message-ID: <x@y>\r\n"
    "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
    "--o\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Language: en\r\n\r\nhi\r\n"
    "--o\r\nContent-Type: message/rfc822\r\n\r\nSubject: s\r\nTo: t@u\r\n\r\ninner\r\n"
    "--o\r\nContent-Disposition: attachment; filename*=utf-8''%C3%A9\r\n"
    "Content-Location: l\r\nContent-MD5: m\r\nContent-ID: <i>\r\n\r\nx\r\n"
    "--o--\r\n";
}  // namespace

TEST(Serialize, RoundTrip) {
  for (std::string_view m : {std::string_view(kMessage), std::string_view(""),
                             std::string_view("Subject: x\r\n\r\nbody")}) {
    ParsedMessage pm = parse_message(m);
    std::string bytes = serialize(pm);
    auto back = deserialize(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, pm);
    EXPECT_EQ(serialize(*back), bytes);
  }
  ParsedMessage pm = parse_message(kMessage);
  EXPECT_LT(serialize(pm).size(), 512u);
}

TEST(Serialize, Garbage) {
  std::string good = serialize(parse_message(kMessage));
  EXPECT_EQ(deserialize(""), std::nullopt);
  EXPECT_EQ(deserialize("\x02"), std::nullopt);  // unknown version
  EXPECT_EQ(deserialize(good + "x"), std::nullopt);  // trailing bytes
  for (size_t n = 0; n < good.size(); ++n) EXPECT_EQ(deserialize(good.substr(0, n)), std::nullopt);
  // Huge counts and lengths.
  EXPECT_EQ(deserialize(std::string("\x01\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11)),
            std::nullopt);
  EXPECT_EQ(deserialize(std::string("\x01\x00\x00\xff\xff\xff\xff\x0f", 8)), std::nullopt);
  // Random corruption never crashes; what parses re-serializes identically.
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string b = good;
    int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = char(rng());
    auto r = deserialize(b);
    if (r) {
      EXPECT_EQ(serialize(*r), b);
    }
  }
}

TEST(Serialize, InvariantsChecked) {
  // A multipart without children must not load (IMAP writers rely on it).
  ParsedMessage pm = parse_message(kMessage);
  pm.body.children.clear();
  EXPECT_EQ(deserialize(serialize(pm)), std::nullopt);
  pm = parse_message(kMessage);
  pm.body.children[1].children.clear();  // message/rfc822 without its body
  EXPECT_EQ(deserialize(serialize(pm)), std::nullopt);
}
