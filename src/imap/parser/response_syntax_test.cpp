#include "imap/parser/response_syntax.h"

#include <gtest/gtest.h>

#include <vector>

#include "imap/parser/command.h"
#include "imap/parser/command_parser.h"

namespace courriel::imap {
namespace {

std::string astring(std::string_view s, bool utf8 = false) {
  std::string out;
  append_astring(out, s, utf8);
  return out;
}

TEST(ResponseSyntax, Astring) {
  EXPECT_EQ(astring("INBOX"), "INBOX");
  EXPECT_EQ(astring("a]b"), "a]b");
  EXPECT_EQ(astring(""), "\"\"");
  EXPECT_EQ(astring("NIL"), "\"NIL\"");
  EXPECT_EQ(astring("nil"), "\"nil\"");
  EXPECT_EQ(astring("a b"), "\"a b\"");
  EXPECT_EQ(astring("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(astring("50%"), "\"50%\"");
  EXPECT_EQ(astring("a*"), "\"a*\"");
  EXPECT_EQ(astring("(x)"), "\"(x)\"");
  EXPECT_EQ(astring("{3}"), "\"{3}\"");
  EXPECT_EQ(astring("a\r\nb"), "{4}\r\na\r\nb");
  EXPECT_EQ(astring(std::string_view("a\0b", 3)), std::string("{3}\r\na\0b", 8));
  EXPECT_EQ(astring("\xc3\xa9"), "{2}\r\n\xc3\xa9");
  EXPECT_EQ(astring("\xc3\xa9", true), "\"\xc3\xa9\"");
  EXPECT_EQ(astring("\xc3", true), "{1}\r\n\xc3");  // invalid UTF-8 goes as a literal
}

TEST(ResponseSyntax, LongStringsAreLiterals) {
  std::string s(999, 'a');
  std::string out;
  append_string(out, s, false);
  EXPECT_EQ(out, "\"" + s + "\"");
  out.clear();
  append_string(out, s + "a", false);
  EXPECT_EQ(out, "{1000}\r\n" + s + "a");
}

TEST(ResponseSyntax, NstringAndAtom) {
  std::string out;
  append_nstring(out, std::nullopt, false);
  out += ' ';
  append_nstring(out, std::string_view("x"), false);
  out += ' ';
  append_atom_or_string(out, "FOO", false);
  out += ' ';
  append_atom_or_string(out, "a]", false);
  out += ' ';
  append_atom_or_string(out, "NIL", false);
  EXPECT_EQ(out, "NIL \"x\" FOO \"a]\" \"NIL\"");
}

TEST(ResponseSyntax, Mailbox) {
  std::string out;
  append_mailbox(out, "Entw\xc3\xbcrfe", false);
  out += ' ';
  append_mailbox(out, "Entw\xc3\xbcrfe", true);
  out += ' ';
  append_mailbox(out, "a & b", false);
  EXPECT_EQ(out, "Entw&APw-rfe \"Entw\xc3\xbcrfe\" \"a &- b\"");
}

TEST(ResponseSyntax, SequenceSet) {
  struct Case {
    std::vector<uint32_t> in;
    std::string out;
  } cases[] = {
      {{}, ""},
      {{1}, "1"},
      {{1, 2, 3, 5, 7, 8, 9}, "1:3,5,7:9"},
      {{1, 1, 2, 2}, "1:2"},
      {{4294967294u, 4294967295u}, "4294967294:4294967295"},
      {{1, 3, 5}, "1,3,5"},
  };
  for (const auto& c : cases) {
    std::string out;
    append_sequence_set(out, c.in);
    EXPECT_EQ(out, c.out);
  }
}

TEST(ResponseSyntax, InternalDate) {
  EXPECT_EQ(format_internal_date(0, 0), "01-Jan-1970 00:00:00 +0000");
  EXPECT_EQ(format_internal_date(760686745, -480), "07-Feb-1994 21:52:25 -0800");
  EXPECT_EQ(format_internal_date(951782400 - 5400, 90), "29-Feb-2000 00:00:00 +0130");
  EXPECT_EQ(format_internal_date(-1, 0), "31-Dec-1969 23:59:59 +0000");
  EXPECT_EQ(format_internal_date(1700000000, 330), "15-Nov-2023 03:43:20 +0530");
}

// The writer's output reads back through the parser.
TEST(ResponseSyntax, RoundTripThroughParser) {
  const std::string values[] = {"",
                                "bob",
                                "b o b",
                                "q\"uote",
                                "back\\slash",
                                "NIL",
                                "a\r\nb",
                                std::string(2000, 'x'),
                                "\xc3\xa9t\xc3\xa9",
                                "x]"};
  for (const auto& v : values) {
    for (bool utf8 : {false, true}) {
      std::string cmd = "A LOGIN ";
      append_astring(cmd, v, utf8);
      cmd += " pw";
      auto out = parse_command(cmd, ParseOptions{utf8});
      ASSERT_TRUE(out.ok()) << cmd << ": " << out.error.message;
      EXPECT_EQ(std::get<LoginArgs>(out.command->args).user, v);
    }
  }
  for (int64_t t : {0LL, 760686745LL, 4102444799LL, 1234567890LL}) {
    for (int off : {0, -480, 90, 59, -1439}) {
      std::string cmd = "A APPEND INBOX \"" + format_internal_date(t, off) + "\" {1}\r\nx";
      auto out = parse_command(cmd, {});
      ASSERT_TRUE(out.ok()) << cmd << ": " << out.error.message;
      auto& m = std::get<AppendArgs>(out.command->args).messages[0];
      EXPECT_EQ(m.internal_date->epoch, t);
      EXPECT_EQ(m.internal_date->offset_minutes, off);
    }
  }
}

}  // namespace
}  // namespace courriel::imap
