#include "managesieve/proto/command.h"

#include <gtest/gtest.h>

namespace courriel::managesieve {
namespace {

Step parse(std::string_view in, bool named = true) { return parse_command(in, Limits{}, named); }

TEST(ManageSieveCommand, AtomsAndQuotedStrings) {
  Step s = parse("putScript \"my \\\"x\\\" \\\\ name\" {5+}\r\nkeep;\r\nNEXT");
  ASSERT_EQ(s.state, Step::complete);
  EXPECT_EQ(s.command.name, "PUTSCRIPT");
  ASSERT_EQ(s.command.args.size(), 2u);
  EXPECT_EQ(s.command.args[0], "my \"x\" \\ name");
  EXPECT_EQ(s.command.args[1], "keep;");
  EXPECT_EQ(s.consumed, std::string_view("putScript \"my \\\"x\\\" \\\\ name\" {5+}\r\nkeep;\r\n").size());
}

TEST(ManageSieveCommand, SynchronisingLiteralAndNumbers) {
  Step s = parse("HAVESPACE {3}\r\nabc 1024\r\n");
  ASSERT_EQ(s.state, Step::complete);
  EXPECT_EQ(s.command.args, (std::vector<std::string>{"abc", "1024"}));
}

TEST(ManageSieveCommand, IncompleteNeedsMore) {
  for (std::string_view in : {"", "LIST", "LISTSCRIPTS\r", "PUTSCRIPT \"a", "PUTSCRIPT {10+}\r\nabc",
                              "PUTSCRIPT {10"})
    EXPECT_EQ(parse(in).state, Step::need_more) << in;
}

TEST(ManageSieveCommand, ErrorsDropTheLine) {
  Step s = parse("PUTSCRIPT \"a\\x\"\r\nNOOP\r\n");
  ASSERT_EQ(s.state, Step::error);
  EXPECT_EQ(s.consumed, 17u);
  EXPECT_EQ(parse("\"NOOP\"\r\n").state, Step::error);
  EXPECT_EQ(parse("\r\n").state, Step::error);
}

TEST(ManageSieveCommand, LimitsAreFatal) {
  Step big = parse_command("PUTSCRIPT \"a\" {2000000+}\r\nxx", Limits{}, true);
  EXPECT_EQ(big.state, Step::too_big);
  EXPECT_EQ(big.consumed, 26u);
  EXPECT_EQ(big.skip, 2000000u);
  EXPECT_EQ(parse_command(std::string(9000, 'A'), Limits{}, true).state, Step::fatal);
}

TEST(ManageSieveCommand, ResponseLines) {
  Step s = parse("\"AGJvYgBzZWNyZXQ=\"\r\n", false);
  ASSERT_EQ(s.state, Step::complete);
  EXPECT_EQ(s.command.args, (std::vector<std::string>{"AGJvYgBzZWNyZXQ="}));
  s = parse("*\r\n", false);
  ASSERT_EQ(s.state, Step::complete);
  EXPECT_EQ(s.command.args, (std::vector<std::string>{"*"}));
}

TEST(ManageSieveCommand, Quote) {
  EXPECT_EQ(quote("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(quote("a\r\nb"), "{4}\r\na\r\nb");
}

}  // namespace
}  // namespace courriel::managesieve
