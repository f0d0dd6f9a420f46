#include "mail/header_section.h"

#include <gtest/gtest.h>

using namespace courriel::mail;

TEST(HeaderSection, BodyOffset) {
  EXPECT_EQ(body_offset("A: b\r\n\r\nbody"), 8u);
  EXPECT_EQ(body_offset("A: b\n\nbody"), 6u);
  EXPECT_EQ(body_offset("\r\nbody"), 2u);
  EXPECT_EQ(body_offset("A: b\r\nC: d\r\n"), std::nullopt);
  EXPECT_EQ(body_offset(""), std::nullopt);
}

TEST(HeaderSection, Fields) {
  std::string h =
      "From: a@b\r\nSubject: hello\r\n  world\r\nTo: c@d\r\nX-Odd : v\r\nbogus line\r\n\r\n";
  EXPECT_EQ(header_fields(h, {"SUBJECT"}, false), "Subject: hello\r\n  world\r\n\r\n");
  EXPECT_EQ(header_fields(h, {"from", "X-ODD"}, false), "From: a@b\r\nX-Odd : v\r\n\r\n");
  EXPECT_EQ(header_fields(h, {"SUBJECT", "TO"}, true), "From: a@b\r\nX-Odd : v\r\n\r\n");
  EXPECT_EQ(header_fields(h, {"Missing"}, false), "\r\n");
  EXPECT_EQ(header_fields("A: 1\nB: 2\n\nbody", {"B"}, false), "B: 2\r\n\r\n");
  // A message without the empty line: nothing is made up (as Dovecot).
  EXPECT_EQ(header_fields("A: 1\r\nB: 2\r\n", {"A"}, true), "B: 2\r\n");
}
