#include "net/listen_address.h"

#include <gtest/gtest.h>

using namespace courriel;
using namespace courriel::net;

TEST(ListenAddress, Parses) {
  auto a = parse_listen_address("127.0.0.1:1143");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->host, "127.0.0.1");
  EXPECT_EQ((*a)->port, 1143);
  auto v6 = parse_listen_address("[::1]:993");
  ASSERT_TRUE(v6);
  EXPECT_EQ((*v6)->host, "::1");
  EXPECT_EQ((*v6)->to_string(), "[::1]:993");
  auto off = parse_listen_address("OFF");
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->has_value());
}

TEST(ListenAddress, ParsesUnixSockets) {
  auto a = parse_listen_address("unix:/run/courriel/lmtp");
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->has_value());
  EXPECT_TRUE((*a)->is_unix());
  EXPECT_EQ((*a)->unix_path, "/run/courriel/lmtp");
  EXPECT_EQ((*a)->to_string(), "unix:/run/courriel/lmtp");
  EXPECT_FALSE(parse_listen_address("127.0.0.1:24")->value().is_unix());
}

TEST(ListenAddress, Rejects) {
  for (const char* bad : {"", "1143", "localhost:1143", "127.0.0.1:", "127.0.0.1:65536",
                          "127.0.0.1:x", "::1:993", "[::1]993", "[::1", "1.2.3:4", "unix:",
                          "unix:relative/path"})
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
}

TEST(ListenAddress, RejectsLongSocketPaths) {
  EXPECT_FALSE(parse_listen_address("unix:/" + std::string(200, 'a')));
}
