#include "imap/parser/command_parser.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace courriel::imap {
namespace {

// A string literal with embedded NULs.
template <size_t N>
std::string bin(const char (&s)[N]) {
  return std::string(s, N - 1);
}

Command parse_ok(std::string_view in, bool utf8 = false) {
  auto out = parse_command(in, ParseOptions{utf8});
  EXPECT_TRUE(out.ok()) << "input: " << in << " error: " << out.error.message;
  return out.command.value_or(Command{});
}

template <class T>
const T& args_of(const Command& c) {
  static const T empty{};
  const T* a = std::get_if<T>(&c.args);
  EXPECT_NE(a, nullptr) << "wrong argument type for " << c.name_text;
  return a ? *a : empty;
}

// ---- Malformed commands: every one gives a BAD with a message --------------

struct BadCase {
  std::string input;
  std::string tag;      // expected ParseError::tag
  std::string message;  // a substring of ParseError::message
  bool utf8 = false;
};

class BadTable : public testing::TestWithParam<BadCase> {};

TEST_P(BadTable, Rejected) {
  const auto& c = GetParam();
  auto out = parse_command(c.input, ParseOptions{c.utf8});
  ASSERT_FALSE(out.ok()) << "input: " << c.input;
  EXPECT_EQ(out.error.tag, c.tag) << "input: " << c.input;
  EXPECT_NE(out.error.message.find(c.message), std::string::npos)
      << "input: " << c.input << " message: " << out.error.message;
}

std::string nested(int depth) {
  return "A SEARCH " + std::string(depth, '(') + "ALL" + std::string(depth, ')');
}

std::string many_nots(int n) {
  std::string s = "A SEARCH";
  for (int i = 0; i < n; ++i) s += " NOT";
  return s + " ALL";
}

std::vector<BadCase> bad_cases() {
  return {
      // Tags and framing.
      {"", "", "Empty"},
      {" ", "", "Invalid tag"},
      {"A1", "A1", "Missing command name"},
      {"A1 ", "A1", "Missing command name"},
      {"A1  NOOP", "A1", "Extra space"},
      {"* NOOP", "", "Invalid tag"},
      {"+ NOOP", "", "Invalid tag"},
      {"A+ NOOP", "", "Invalid tag"},
      {"( NOOP", "", "Invalid tag"},
      {"{3} NOOP", "", "Invalid tag"},
      {"\"a\" NOOP", "", "Invalid tag"},
      {"a%b NOOP", "", "Invalid tag"},
      {"a\x01 NOOP", "", "Invalid tag"},
      {std::string("a\0 NOOP", 7), "", "Invalid tag"},
      {"\xc3\xa9 NOOP", "", "Invalid tag"},
      {"A1\tNOOP", "", "Invalid tag"},
      {"A1 (NOOP", "A1", "Invalid command name"},
      {"A1 NOOP ", "A1", "Unexpected text"},
      {"A1 NOOP extra", "A1", "Unexpected text"},
      {"A1 CAPABILITY x", "A1", "Unexpected text"},
      {"A1 LOGOUT\r", "A1", "Unexpected text"},
      {"A1 UID", "A1", "Missing command name after UID"},
      {"A1 UID ", "A1", "Missing command name after UID"},
      // LOGIN.
      {"A1 LOGIN", "A1", "Missing user name"},
      {"A1 LOGIN bob", "A1", "Missing password"},
      {"A1 LOGIN bob ", "A1", "Missing password"},
      {"A1 LOGIN bob  pw", "A1", "Extra space"},
      {"A1 LOGIN bob pw x", "A1", "Unexpected text"},
      {"A1 LOGIN (bob) pw", "A1", "Invalid user name"},
      {"A1 LOGIN \"bob pw", "A1", "Unterminated quoted string"},
      {"A1 LOGIN \"b\\ob\" pw", "A1", "Invalid escape"},
      {"A1 LOGIN \"b\rb\" pw", "A1", "CR or LF"},
      {"A1 LOGIN \"b\nb\" pw", "A1", "CR or LF"},
      {std::string("A1 LOGIN \"b\0b\" pw", 17), "A1", "NUL"},
      {"A1 LOGIN \"b\xc3\xa9\" pw", "A1", "8-bit"},
      {"A1 LOGIN \"b\xc3\" pw", "A1", "Invalid UTF-8", true},
      {"A1 LOGIN \"\xed\xa0\x80\" pw", "A1", "Invalid UTF-8", true},
      {"A1 LOGIN \"\xc0\xaf\" pw", "A1", "Invalid UTF-8", true},
      {"A1 LOGIN b\xc3\xa9 pw", "A1", "Expected a space"},
      {"A1 LOGIN {3}\r\nbo", "A1", "shorter"},
      {"A1 LOGIN {3}\r\nbob", "A1", "Missing password"},
      {"A1 LOGIN {3}bob pw", "A1", "Invalid literal"},
      {"A1 LOGIN {3}\nbob pw", "A1", "Invalid literal"},
      {"A1 LOGIN {99999999999999999999}\r\nbob pw", "A1", "Invalid literal size"},
      {"A1 LOGIN {18446744073709551615}\r\nbob pw", "A1", "shorter"},
      {"A1 LOGIN {}\r\nbob pw", "A1", "Invalid literal size"},
      {"A1 LOGIN {-1}\r\nbob pw", "A1", "Invalid literal size"},
      {"A1 LOGIN ~{3}\r\nbob pw", "A1", "literal8"},
      {std::string("A1 LOGIN {3}\r\nb\0b pw", 21), "A1", "NUL"},
      {"A1 LOGIN bob\"x pw", "A1", "Expected a space"},
      // AUTHENTICATE, ENABLE, ID.
      {"A1 AUTHENTICATE", "A1", "Missing authentication mechanism"},
      {"A1 AUTHENTICATE PLAIN ", "A1", "Missing initial response"},
      {"A1 AUTHENTICATE PLAIN AGJvYgBwdw", "A1", "Invalid base64"},
      {"A1 AUTHENTICATE PLAIN a=b=", "A1", "Invalid base64"},
      {"A1 AUTHENTICATE PLAIN = x", "A1", "Unexpected text"},
      {"A1 AUTHENTICATE PLAIN ==", "A1", "Unexpected text"},
      {"A1 ENABLE", "A1", "Missing capability"},
      {"A1 ENABLE ", "A1", "Missing capability"},
      {"A1 ENABLE (X)", "A1", "Invalid capability"},
      {"A1 ID", "A1", "Missing ID parameters"},
      {"A1 ID (\"a\")", "A1", "Missing ID field value before )"},
      {"A1 ID (\"a\" \"b\"", "A1", "Missing )"},
      {"A1 ID (a b)", "A1", "expected a string"},
      {"A1 ID (\"a\" b)", "A1", "expected a string"},
      {"A1 ID (\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" NIL)", "A1", "30 octets"},
      {"A1 ID (\"a\" {1025}\r\n" + std::string(1025, 'x') + ")", "A1", "1024 octets"},
      {"A1 ID (\"a\" NIL \"A\" NIL)", "A1", "Duplicate"},
      {"A1 ID NIL x", "A1", "Unexpected text"},
      {"A1 ID NILL", "A1", "Expected ("},
      // SELECT / CREATE / mailbox commands.
      {"A1 SELECT", "A1", "Missing mailbox name"},
      {"A1 SELECT ", "A1", "Missing mailbox name"},
      {"A1 SELECT INBOX ()", "A1", "Empty select parameters"},
      {"A1 SELECT INBOX (FOO)", "A1", "Unknown select parameter"},
      {"A1 SELECT INBOX (CONDSTORE", "A1", "Missing )"},
      {"A1 SELECT INBOX (QRESYNC)", "A1", "Missing QRESYNC"},
      {"A1 SELECT INBOX (QRESYNC (0 5))", "A1", "non-zero"},
      {"A1 SELECT INBOX (QRESYNC (1 0))", "A1", "non-zero"},
      {"A1 SELECT INBOX (QRESYNC (1 5 1:*))", "A1", "not allowed"},
      {"A1 SELECT INBOX (QRESYNC (1 5 1:9 (1:3 1:3 x)))", "A1", "QRESYNC"},
      {"A1 SELECT INBOX (QRESYNC (1 5) QRESYNC (1 5))", "A1", "twice"},
      {"A1 SELECT INBOX (QRESYNC (1 5 $))", "A1", "not allowed"},
      {"A1 EXAMINE a b", "A1", "Expected ("},
      {"A1 CREATE", "A1", "Missing mailbox name"},
      {"A1 CREATE x (USE (\\Bogus))", "A1", "Unknown special-use"},
      {"A1 CREATE x (USE ())", "A1", "Empty special-use"},
      {"A1 CREATE x (FOO (\\Sent))", "A1", "Unknown create parameter"},
      {"A1 CREATE x (USE (Sent))", "A1", "Invalid special-use"},
      {"A1 DELETE", "A1", "Missing mailbox name"},
      {"A1 DELETE a b", "A1", "Unexpected text"},
      {"A1 DELETE %", "A1", "Invalid mailbox name"},
      {"A1 DELETE *", "A1", "Invalid mailbox name"},
      {"A1 RENAME a", "A1", "Missing new mailbox name"},
      {"A1 SUBSCRIBE", "A1", "Missing mailbox name"},
      {"A1 UNSUBSCRIBE (", "A1", "Invalid mailbox name"},
      // LIST / LSUB / STATUS.
      {"A1 LIST", "A1", "Missing mailbox reference"},
      {"A1 LIST \"\"", "A1", "Missing mailbox pattern"},
      {"A1 LIST \"\" ", "A1", "Missing mailbox pattern"},
      {"A1 LIST \"\" ()", "A1", "Empty mailbox patterns"},
      {"A1 LIST (FOO) \"\" *", "A1", "Unknown selection option"},
      {"A1 LIST (RECURSIVEMATCH) \"\" *", "A1", "RECURSIVEMATCH"},
      {"A1 LIST \"\" * RETURN", "A1", "Missing return options"},
      {"A1 LIST \"\" * RETURN (FOO)", "A1", "Unknown return option"},
      {"A1 LIST \"\" * RETURN (STATUS)", "A1", "Missing status items"},
      {"A1 LIST \"\" * RETURN (STATUS ())", "A1", "Empty status items"},
      {"A1 LIST \"\" * FOO (CHILDREN)", "A1", "Expected RETURN"},
      {"A1 LIST \"\" * RETURN (CHILDREN) x", "A1", "Unexpected text"},
      {"A1 LIST \"\" a(b", "A1", "Expected a space"},
      {"A1 LSUB \"\"", "A1", "Missing mailbox pattern"},
      {"A1 LSUB \"\" (a b)", "A1", "Invalid mailbox pattern"},
      {"A1 STATUS INBOX", "A1", "Missing status items"},
      {"A1 STATUS INBOX ()", "A1", "Empty status items"},
      {"A1 STATUS INBOX (MESSAGES FOO)", "A1", "Unknown status item FOO"},
      {"A1 STATUS INBOX MESSAGES", "A1", "Expected ("},
      {"A1 STATUS INBOX (MESSAGES  UNSEEN)", "A1", "Extra space"},
      {"A1 STATUS INBOX (MESSAGES )", "A1", "Extra space"},
      {"A1 STATUS INBOX ( MESSAGES)", "A1", "Extra space"},
      // APPEND.
      {"A1 APPEND", "A1", "Missing mailbox name"},
      {"A1 APPEND INBOX", "A1", "Missing message literal"},
      {"A1 APPEND INBOX hello", "A1", "Expected a message literal"},
      {"A1 APPEND INBOX \"hello\"", "A1", "Invalid date-time"},
      {"A1 APPEND INBOX (\\Recent) {1}\r\nx", "A1", "\\Recent"},
      {"A1 APPEND INBOX (\\Bogus) {1}\r\nx", "A1", "Invalid system flag"},
      {"A1 APPEND INBOX (\\*) {1}\r\nx", "A1", "Invalid system flag"},
      {"A1 APPEND INBOX (a b {1}\r\nx", "A1", "Invalid flag"},
      {"A1 APPEND INBOX \"31-Feb-2020 10:00:00 +0000\" {1}\r\nx", "A1", "no such day"},
      {"A1 APPEND INBOX \"32-Jan-2020 10:00:00 +0000\" {1}\r\nx", "A1", "no such day"},
      {"A1 APPEND INBOX \"29-Feb-2021 10:00:00 +0000\" {1}\r\nx", "A1", "no such day"},
      {"A1 APPEND INBOX \"00-Jan-2020 10:00:00 +0000\" {1}\r\nx", "A1", "no such day"},
      {"A1 APPEND INBOX \"01-Foo-2020 10:00:00 +0000\" {1}\r\nx", "A1", "month"},
      {"A1 APPEND INBOX \"01-Jan-20 10:00:00 +0000\" {1}\r\nx", "A1", "year"},
      {"A1 APPEND INBOX \"1-Jan-2020 10:00:00 +0000\" {1}\r\nx", "A1", "day"},
      {"A1 APPEND INBOX \"01-Jan-2020 24:00:00 +0000\" {1}\r\nx", "A1", "time out of range"},
      {"A1 APPEND INBOX \"01-Jan-2020 10:60:00 +0000\" {1}\r\nx", "A1", "time out of range"},
      {"A1 APPEND INBOX \"01-Jan-2020 10:00:61 +0000\" {1}\r\nx", "A1", "time out of range"},
      {"A1 APPEND INBOX \"01-Jan-2020 10:00:00 +0060\" {1}\r\nx", "A1", "zone out of range"},
      {"A1 APPEND INBOX \"01-Jan-2020 10:00:00 0000\" {1}\r\nx", "A1", "zone"},
      {"A1 APPEND INBOX \"01-Jan-2020 10:00 +0000\" {1}\r\nx", "A1", "time"},
      {"A1 APPEND INBOX \"01-Jan-2020 10:00:00 +0000 {1}\r\nx", "A1", "Invalid date-time"},
      {"A1 APPEND INBOX {1}\r\nx ", "A1", "Missing message literal"},
      {"A1 APPEND INBOX {1}\r\nxy", "A1", "Expected a space"},
      {"A1 APPEND INBOX {5}\r\nx", "A1", "shorter"},
      {"A1 APPEND INBOX UTF8 ({1}\r\nx)", "A1", "literal8"},
      {"A1 APPEND INBOX UTF8 (~{1}\r\nx", "A1", "Invalid UTF8"},
      // Sequence sets.
      {"A1 FETCH 0 FLAGS", "A1", "0 is not"},
      {"A1 FETCH 1:0 FLAGS", "A1", "0 is not"},
      {"A1 FETCH 01 FLAGS", "A1", "Invalid sequence set"},
      {"A1 FETCH 1:*:3 FLAGS", "A1", "Invalid sequence set"},
      {"A1 FETCH 1,,2 FLAGS", "A1", "sequence set"},
      {"A1 FETCH 1, FLAGS", "A1", "sequence set"},
      {"A1 FETCH ,1 FLAGS", "A1", "Invalid sequence set"},
      {"A1 FETCH 1: FLAGS", "A1", "sequence set"},
      {"A1 FETCH 4294967296 FLAGS", "A1", "too large"},
      {"A1 FETCH 99999999999999999999999 FLAGS", "A1", "too large"},
      {"A1 FETCH 1a FLAGS", "A1", "Invalid sequence set"},
      {"A1 FETCH $,1 FLAGS", "A1", "Invalid sequence set"},
      {"A1 FETCH ** FLAGS", "A1", "Invalid sequence set"},
      {"A1 FETCH -1 FLAGS", "A1", "Invalid sequence set"},
      {"A1 FETCH", "A1", "Missing sequence set"},
      {"A1 FETCH 1", "A1", "Missing fetch attributes"},
      // FETCH attributes.
      {"A1 FETCH 1 FOO", "A1", "Unknown fetch attribute FOO"},
      {"A1 FETCH 1 ()", "A1", "Empty fetch attribute list"},
      {"A1 FETCH 1 (FLAGS", "A1", "Missing )"},
      {"A1 FETCH 1 (FLAGS))", "A1", "Missing fetch modifiers before )"},
      {"A1 FETCH 1 (ALL)", "A1", "Unknown fetch attribute ALL"},
      {"A1 FETCH 1 BODY[", "A1", "Invalid section"},
      {"A1 FETCH 1 BODY[HEADER", "A1", "expected ]"},
      {"A1 FETCH 1 BODY[FOO]", "A1", "Invalid section"},
      {"A1 FETCH 1 BODY[MIME]", "A1", "Invalid section"},
      {"A1 FETCH 1 BODY[0]", "A1", "non-zero"},
      {"A1 FETCH 1 BODY[1.]", "A1", "Invalid section"},
      {"A1 FETCH 1 BODY[1..2]", "A1", "Invalid section"},
      {"A1 FETCH 1 BODY[HEADER.FIELDS]", "A1", "Expected a space"},
      {"A1 FETCH 1 BODY[HEADER.FIELDS ()]", "A1", "Empty header field list"},
      {"A1 FETCH 1 BODY[HEADER.FIELDS (From]", "A1", "Missing )"},
      {"A1 FETCH 1 BODY[TEXT.MIME]", "A1", "Invalid section"},
      {"A1 FETCH 1 BODY[]<>", "A1", "partial origin"},
      {"A1 FETCH 1 BODY[]<1>", "A1", "Invalid partial"},
      {"A1 FETCH 1 BODY[]<1.0>", "A1", "non-zero"},
      {"A1 FETCH 1 BODY[]<1.2", "A1", "expected >"},
      {"A1 FETCH 1 BODY.PEEK", "A1", "Expected ["},
      {"A1 FETCH 1 BODY<0.1>", "A1", "Unexpected partial"},
      {"A1 FETCH 1 FLAGS[]", "A1", "Unexpected section"},
      {"A1 FETCH 1 BINARY[HEADER]", "A1", "Invalid section part"},
      {"A1 FETCH 1 BINARY[1.TEXT]", "A1", "Invalid binary section"},
      {"A1 FETCH 1 BINARY.SIZE[1]<0.5>", "A1", "Expected a space"},
      {"A1 FETCH 1 BINARY", "A1", "Expected ["},
      {"A1 FETCH 1 FLAGS (CHANGEDSINCE)", "A1", "Missing mod-sequence"},
      {"A1 FETCH 1 FLAGS (CHANGEDSINCE 0)", "A1", "non-zero"},
      {"A1 FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)", "A1", "too large"},
      {"A1 FETCH 1 FLAGS (FOO)", "A1", "Unknown fetch modifier"},
      {"A1 FETCH 1 FLAGS (CHANGEDSINCE 5 VANISHED)", "A1", "VANISHED"},
      {"A1 UID FETCH 1 FLAGS (VANISHED)", "A1", "VANISHED"},
      {"A1 FETCH 1 FLAGS ENVELOPE", "A1", "Expected ("},
      // STORE.
      {"A1 STORE 1", "A1", "Missing store attribute"},
      {"A1 STORE 1 FLAGS", "A1", "Missing flags"},
      {"A1 STORE 1 XFLAGS (\\Seen)", "A1", "Invalid store attribute"},
      {"A1 STORE 1 *FLAGS (\\Seen)", "A1", "Invalid store attribute"},
      {"A1 STORE 1 FLAGS.LOUD (\\Seen)", "A1", "Invalid store attribute"},
      {"A1 STORE 1 +FLAGS (\\Recent)", "A1", "\\Recent"},
      {"A1 STORE 1 +FLAGS (\\*)", "A1", "Invalid system flag"},
      {"A1 STORE 1 +FLAGS \\Seen \\Foo", "A1", "Invalid system flag \\Foo"},
      {"A1 STORE 1 +FLAGS (\\Seen", "A1", "Missing )"},
      {"A1 STORE 1 +FLAGS (\\Seen) x", "A1", "Unexpected text"},
      {"A1 STORE 1 +FLAGS ((\\Seen))", "A1", "Invalid flag"},
      {"A1 STORE 1 +FLAGS \"a\"", "A1", "Invalid flag"},
      {"A1 STORE 1 (UNCHANGEDSINCE) FLAGS ()", "A1", "Missing mod-sequence"},
      {"A1 STORE 1 (FOO 1) FLAGS ()", "A1", "Unknown store modifier"},
      {"A1 STORE 1 (UNCHANGEDSINCE 5)", "A1", "Missing store attribute"},
      // COPY / MOVE / EXPUNGE.
      {"A1 COPY 1", "A1", "Missing mailbox name"},
      {"A1 COPY 1 ", "A1", "Missing mailbox name"},
      {"A1 MOVE 1:* a b", "A1", "Unexpected text"},
      {"A1 COPY x INBOX", "A1", "Invalid sequence set"},
      {"A1 UID EXPUNGE", "A1", "Missing UID set"},
      {"A1 EXPUNGE 1", "A1", "Unexpected text"},
      // SEARCH.
      {"A1 SEARCH", "A1", "Missing search key"},
      {"A1 SEARCH ", "A1", "Missing search key"},
      {"A1 SEARCH FOO", "A1", "Unknown search key FOO"},
      {"A1 SEARCH ()", "A1", "Empty search key list"},
      {"A1 SEARCH (ALL", "A1", "Missing )"},
      {"A1 SEARCH ALL)", "A1", "Missing search key before )"},
      {"A1 SEARCH ((ALL)", "A1", "Missing )"},
      {"A1 SEARCH NOT", "A1", "Missing search key"},
      {"A1 SEARCH OR ALL", "A1", "Missing search key"},
      {"A1 SEARCH FROM", "A1", "Missing search string"},
      {"A1 SEARCH FROM (", "A1", "Invalid search string"},
      {"A1 SEARCH HEADER From", "A1", "Missing search string"},
      {"A1 SEARCH KEYWORD \"x\"", "A1", "Invalid keyword"},
      {"A1 SEARCH LARGER x", "A1", "Invalid size"},
      {"A1 SEARCH LARGER -1", "A1", "Invalid size"},
      {"A1 SEARCH SINCE 1-Jan-20", "A1", "year"},
      {"A1 SEARCH SINCE 31-Apr-2020", "A1", "no such day"},
      {"A1 SEARCH SINCE 0-Apr-2020", "A1", "no such day"},
      {"A1 SEARCH SINCE 123-Apr-2020", "A1", "Invalid date"},
      {"A1 SEARCH SINCE 1-Abc-2020", "A1", "month"},
      {"A1 SEARCH SINCE \"1-Jan-2020", "A1", "closing quote"},
      {"A1 SEARCH SINCE 1-Jan-2020x", "A1", "Expected a space"},
      {"A1 SEARCH BEFORE", "A1", "Missing date"},
      {"A1 SEARCH UID", "A1", "Missing UID set"},
      {"A1 SEARCH UID 0", "A1", "0 is not"},
      {"A1 SEARCH 1:*:3", "A1", "Invalid sequence set"},
      {"A1 SEARCH CHARSET", "A1", "Missing charset"},
      {"A1 SEARCH CHARSET UTF-8", "A1", "Missing search key"},
      {"A1 SEARCH RETURN (FOO) ALL", "A1", "Unknown RETURN option"},
      {"A1 SEARCH RETURN ALL", "A1", "Expected ("},
      {"A1 SEARCH RETURN (MIN)", "A1", "Missing search key"},
      {"A1 SEARCH MODSEQ", "A1", "Missing MODSEQ value"},
      {"A1 SEARCH MODSEQ \"/flags/\\\\Seen\" all", "A1", "Missing MODSEQ value"},
      {"A1 SEARCH MODSEQ \"/foo\" all 5", "A1", "Invalid MODSEQ entry name"},
      {"A1 SEARCH MODSEQ \"/flags/\\\\Seen\" mine 5", "A1", "Invalid MODSEQ entry type"},
      {"A1 SEARCH OLDER 0", "A1", "non-zero"},
      {"A1 SEARCH YOUNGER", "A1", "Missing interval"},
      {"A1 SEARCH SUBJECT \"\xc3\xa9\"", "A1", "8-bit"},
      {"A1 SEARCH ALL  ALL", "A1", "Extra space"},
      // SORT / THREAD.
      {"A1 SORT", "A1", "Missing sort criteria"},
      {"A1 SORT () UTF-8 ALL", "A1", "Empty sort criteria"},
      {"A1 SORT (FOO) UTF-8 ALL", "A1", "Unknown sort key FOO"},
      {"A1 SORT (REVERSE) UTF-8 ALL", "A1", "Missing sort key"},
      {"A1 SORT (REVERSE REVERSE DATE) UTF-8 ALL", "A1", "Unknown sort key REVERSE"},
      {"A1 SORT (DATE)", "A1", "Missing charset"},
      {"A1 SORT (DATE) UTF-8", "A1", "Missing search key"},
      {"A1 SORT DATE UTF-8 ALL", "A1", "Expected ("},
      {"A1 THREAD", "A1", "Missing threading algorithm"},
      {"A1 THREAD REFERENCES", "A1", "Missing charset"},
      {"A1 THREAD REFERENCES UTF-8", "A1", "Missing search key"},
      // Quota, ACL, COMPRESS, METADATA.
      {"A1 GETQUOTA", "A1", "Missing quota root"},
      {"A1 GETQUOTAROOT", "A1", "Missing mailbox name"},
      {"A1 SETQUOTA \"\"", "A1", "Missing quota limits"},
      {"A1 SETQUOTA \"\" (STORAGE)", "A1", "Missing quota limit"},
      {"A1 SETQUOTA \"\" (STORAGE x)", "A1", "Invalid quota limit"},
      {"A1 SETACL INBOX bob", "A1", "Missing rights"},
      {"A1 SETACL INBOX", "A1", "Missing identifier"},
      {"A1 DELETEACL INBOX", "A1", "Missing identifier"},
      {"A1 DELETEACL INBOX bob lr", "A1", "Unexpected text"},
      {"A1 LISTRIGHTS INBOX", "A1", "Missing identifier"},
      {"A1 MYRIGHTS", "A1", "Missing mailbox name"},
      {"A1 GETACL", "A1", "Missing mailbox name"},
      {"A1 COMPRESS", "A1", "Missing compression mechanism"},
      {"A1 COMPRESS DEFLATE x", "A1", "Unexpected text"},
      {"A1 GETMETADATA", "A1", "Missing mailbox name"},
      {"A1 GETMETADATA INBOX", "A1", "Missing metadata entries"},
      {"A1 GETMETADATA (DEPTH 2) INBOX /a", "A1", "Invalid DEPTH"},
      {"A1 GETMETADATA (FOO 2) INBOX /a", "A1", "Unknown metadata option"},
      {"A1 GETMETADATA INBOX ()", "A1", "Empty metadata entries"},
      {"A1 SETMETADATA INBOX (/a)", "A1", "Missing metadata value"},
      {"A1 SETMETADATA INBOX /a x", "A1", "Expected ("},
      {"A1 SETMETADATA INBOX (/a x)", "A1", "expected a string"},
  };
}

INSTANTIATE_TEST_SUITE_P(Parser, BadTable, testing::ValuesIn(bad_cases()));

TEST(Parser, NestingLimit) {
  auto out = parse_command(nested(101), {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error.tag, "A");
  EXPECT_NE(out.error.message.find("nested"), std::string::npos) << out.error.message;
  EXPECT_TRUE(parse_command(nested(99), {}).ok());
  // 10k deep must not overflow the stack.
  out = parse_command(nested(10000), {});
  EXPECT_FALSE(out.ok());
  out = parse_command(many_nots(10000), {});
  EXPECT_FALSE(out.ok());
  EXPECT_NE(out.error.message.find("nested"), std::string::npos);
  EXPECT_TRUE(parse_command(many_nots(50), {}).ok());
  std::string ors = "A SEARCH";
  for (int i = 0; i < 5000; ++i) ors += " OR ALL";
  EXPECT_FALSE(parse_command(ors + " ALL", {}).ok());
}

TEST(Parser, WideListsAreFine) {
  std::string s = "A SEARCH (";
  for (int i = 0; i < 5000; ++i) s += "ALL ";
  s += "ALL)";
  auto c = parse_ok(s);
  EXPECT_EQ(args_of<SearchArgs>(c).key.children[0].children.size(), 5001u);
}

// ---- Well-formed commands ---------------------------------------------------

struct GoodCase {
  std::string input;
  CommandName name;
  std::function<void(const Command&)> check = [](const Command&) {};
  bool utf8 = false;
};

class GoodTable : public testing::TestWithParam<GoodCase> {};

TEST_P(GoodTable, Parsed) {
  const auto& c = GetParam();
  auto out = parse_command(c.input, ParseOptions{c.utf8});
  ASSERT_TRUE(out.ok()) << "input: " << c.input << " error: " << out.error.message;
  EXPECT_EQ(out.command->name, c.name) << c.input;
  c.check(*out.command);
}

using SK = SearchKey::Kind;
using FK = FetchAtt::Kind;

SequenceSet seq(std::vector<SeqRange> r) { return SequenceSet{std::move(r), false}; }
constexpr uint32_t kStar = SeqRange::kStar;

std::vector<GoodCase> good_cases() {
  return {
      // Simple commands, case-insensitive names.
      {"A1 CAPABILITY", CommandName::capability,
       [](const Command& c) {
         EXPECT_EQ(c.tag, "A1");
         EXPECT_EQ(c.name_text, "CAPABILITY");
         EXPECT_FALSE(c.uid);
       }},
      {"a noop", CommandName::noop},
      {"x LogOut", CommandName::logout},
      {"t] STARTTLS", CommandName::starttls, [](const Command& c) { EXPECT_EQ(c.tag, "t]"); }},
      {"1 NAMESPACE", CommandName::namespace_},
      {"1 CHECK", CommandName::check},
      {"1 CLOSE", CommandName::close},
      {"1 UNSELECT", CommandName::unselect},
      {"1 EXPUNGE", CommandName::expunge},
      {"1 IDLE", CommandName::idle},
      {"1 UNAUTHENTICATE", CommandName::unauthenticate},
      {"1 XYZZY foo (bar", CommandName::unknown,
       [](const Command& c) { EXPECT_EQ(c.name_text, "XYZZY"); }},
      {"1 uid xyzzy 1", CommandName::unknown,
       [](const Command& c) {
         EXPECT_EQ(c.name_text, "UID XYZZY");
         EXPECT_TRUE(c.uid);
       }},
      {"1 UID LOGIN a b", CommandName::unknown},
      // LOGIN.
      {"A1 LOGIN bob secret", CommandName::login,
       [](const Command& c) {
         auto& a = args_of<LoginArgs>(c);
         EXPECT_EQ(a.user, "bob");
         EXPECT_EQ(a.password, "secret");
       }},
      {"A1 LOGIN \"b o\\\"b\" \"p\\\\w\"", CommandName::login,
       [](const Command& c) {
         auto& a = args_of<LoginArgs>(c);
         EXPECT_EQ(a.user, "b o\"b");
         EXPECT_EQ(a.password, "p\\w");
       }},
      {"A1 LOGIN {3}\r\nbob {2+}\r\npw", CommandName::login,
       [](const Command& c) {
         EXPECT_EQ(args_of<LoginArgs>(c).user, "bob");
         EXPECT_EQ(args_of<LoginArgs>(c).password, "pw");
       }},
      {"A1 LOGIN {4}\r\n\r\n\"\\ \"\"", CommandName::login,
       [](const Command& c) {
         EXPECT_EQ(args_of<LoginArgs>(c).user, "\r\n\"\\");
         EXPECT_EQ(args_of<LoginArgs>(c).password, "");
       }},
      {"A1 LOGIN {2}\r\n\xc3\xa9 x]", CommandName::login,
       [](const Command& c) {
         EXPECT_EQ(args_of<LoginArgs>(c).user, "\xc3\xa9");
         EXPECT_EQ(args_of<LoginArgs>(c).password, "x]");
       }},
      {"A1 LOGIN \"\xc3\xa9\" pw", CommandName::login,
       [](const Command& c) { EXPECT_EQ(args_of<LoginArgs>(c).user, "\xc3\xa9"); }, true},
      {"A1 LOGIN NIL NIL", CommandName::login,
       [](const Command& c) { EXPECT_EQ(args_of<LoginArgs>(c).user, "NIL"); }},
      // AUTHENTICATE.
      {"A1 AUTHENTICATE plain", CommandName::authenticate,
       [](const Command& c) {
         auto& a = args_of<AuthenticateArgs>(c);
         EXPECT_EQ(a.mechanism, "PLAIN");
         EXPECT_FALSE(a.initial_response);
       }},
      {"A1 AUTHENTICATE PLAIN AGJvYgBwdw==", CommandName::authenticate,
       [](const Command& c) {
         auto& a = args_of<AuthenticateArgs>(c);
         EXPECT_EQ(a.initial_response, std::string("\0bob\0pw", 7));
       }},
      {"A1 AUTHENTICATE EXTERNAL =", CommandName::authenticate,
       [](const Command& c) {
         EXPECT_EQ(args_of<AuthenticateArgs>(c).initial_response, std::string());
       }},
      {"A1 AUTHENTICATE SCRAM-SHA-256", CommandName::authenticate,
       [](const Command& c) {
         EXPECT_EQ(args_of<AuthenticateArgs>(c).mechanism, "SCRAM-SHA-256");
       }},
      // ENABLE / ID.
      {"A1 ENABLE condstore utf8=accept", CommandName::enable,
       [](const Command& c) {
         EXPECT_EQ(args_of<EnableArgs>(c).capabilities,
                   (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT"}));
       }},
      {"A1 ID NIL", CommandName::id,
       [](const Command& c) { EXPECT_FALSE(args_of<IdArgs>(c).params); }},
      {"A1 ID ()", CommandName::id,
       [](const Command& c) { EXPECT_TRUE(args_of<IdArgs>(c).params->empty()); }},
      {"A1 ID (\"name\" \"mutt\" \"version\" NIL \"os\" {5}\r\nLinux)", CommandName::id,
       [](const Command& c) {
         auto& p = *args_of<IdArgs>(c).params;
         ASSERT_EQ(p.size(), 3u);
         EXPECT_EQ(p[0].first, "name");
         EXPECT_EQ(p[0].second, "mutt");
         EXPECT_FALSE(p[1].second);
         EXPECT_EQ(p[2].second, "Linux");
       }},
      // SELECT / EXAMINE.
      {"A1 SELECT inbox", CommandName::select,
       [](const Command& c) { EXPECT_EQ(args_of<SelectArgs>(c).mailbox, "INBOX"); }},
      {"A1 SELECT \"InBoX\"", CommandName::select,
       [](const Command& c) { EXPECT_EQ(args_of<SelectArgs>(c).mailbox, "INBOX"); }},
      {"A1 SELECT inbox.sub", CommandName::select,
       [](const Command& c) { EXPECT_EQ(args_of<SelectArgs>(c).mailbox, "inbox.sub"); }},
      {"A1 EXAMINE \"a b\" (CONDSTORE)", CommandName::examine,
       [](const Command& c) {
         EXPECT_EQ(args_of<SelectArgs>(c).mailbox, "a b");
         EXPECT_TRUE(args_of<SelectArgs>(c).condstore);
       }},
      {"A1 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",
       CommandName::select,
       [](const Command& c) {
         auto& q = *args_of<SelectArgs>(c).qresync;
         EXPECT_EQ(q.uidvalidity, 67890007u);
         EXPECT_EQ(q.modseq, 20050715194045000u);
         EXPECT_EQ(*q.known_uids, seq({{41, 41}, {43, 211}, {214, 541}}));
         EXPECT_FALSE(q.seq_match);
       }},
      {"A1 SELECT INBOX (QRESYNC (1 2 1:9 (1,3 5,7)) CONDSTORE)", CommandName::select,
       [](const Command& c) {
         auto& a = args_of<SelectArgs>(c);
         EXPECT_TRUE(a.condstore);
         EXPECT_EQ(a.qresync->seq_match->first, seq({{1, 1}, {3, 3}}));
         EXPECT_EQ(a.qresync->seq_match->second, seq({{5, 5}, {7, 7}}));
       }},
      {"A1 SELECT INBOX (QRESYNC (1 2 (1 5)))", CommandName::select,
       [](const Command& c) {
         auto& q = *args_of<SelectArgs>(c).qresync;
         EXPECT_FALSE(q.known_uids);
         EXPECT_TRUE(q.seq_match);
       }},
      // CREATE etc.
      {"A1 CREATE Drafts (USE (\\drafts \\Sent))", CommandName::create,
       [](const Command& c) {
         EXPECT_EQ(args_of<CreateArgs>(c).special_use,
                   (std::vector<std::string>{"\\Drafts", "\\Sent"}));
       }},
      {"A1 CREATE \"\"", CommandName::create,
       [](const Command& c) { EXPECT_EQ(args_of<CreateArgs>(c).mailbox, ""); }},
      {"A1 DELETE foo/bar", CommandName::delete_,
       [](const Command& c) { EXPECT_EQ(args_of<MailboxArgs>(c).mailbox, "foo/bar"); }},
      {"A1 RENAME inbox {3}\r\nnew", CommandName::rename,
       [](const Command& c) {
         EXPECT_EQ(args_of<RenameArgs>(c).from, "INBOX");
         EXPECT_EQ(args_of<RenameArgs>(c).to, "new");
       }},
      {"A1 SUBSCRIBE &U,BTFw-", CommandName::subscribe,
       [](const Command& c) { EXPECT_EQ(args_of<MailboxArgs>(c).mailbox, "&U,BTFw-"); }},
      {"A1 UNSUBSCRIBE x", CommandName::unsubscribe},
      {"A1 SELECT \"\xe6\x97\xa5\"", CommandName::select,
       [](const Command& c) { EXPECT_EQ(args_of<SelectArgs>(c).mailbox, "\xe6\x97\xa5"); }, true},
      // LIST / LSUB.
      {"A1 LIST \"\" *", CommandName::list,
       [](const Command& c) {
         auto& a = args_of<ListArgs>(c);
         EXPECT_EQ(a.reference, "");
         EXPECT_EQ(a.patterns, std::vector<std::string>{"*"});
         EXPECT_FALSE(a.extended);
       }},
      {"A1 LIST inbox %/a*]", CommandName::list,
       [](const Command& c) {
         auto& a = args_of<ListArgs>(c);
         EXPECT_EQ(a.reference, "inbox");
         EXPECT_EQ(a.patterns, std::vector<std::string>{"%/a*]"});
       }},
      {"A1 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Sent\" %) RETURN (CHILDREN "
       "SPECIAL-USE STATUS (MESSAGES UNSEEN))",
       CommandName::list,
       [](const Command& c) {
         auto& a = args_of<ListArgs>(c);
         EXPECT_TRUE(a.extended);
         EXPECT_TRUE(a.select_subscribed);
         EXPECT_TRUE(a.select_recursive_match);
         EXPECT_EQ(a.patterns, (std::vector<std::string>{"INBOX", "Sent", "%"}));
         EXPECT_TRUE(a.return_children);
         EXPECT_TRUE(a.return_special_use);
         EXPECT_EQ(*a.return_status,
                   (std::vector<StatusItem>{StatusItem::messages, StatusItem::unseen}));
       }},
      {"A1 LIST () \"\" % RETURN ()", CommandName::list,
       [](const Command& c) { EXPECT_TRUE(args_of<ListArgs>(c).extended); }},
      {"A1 LIST (special-use remote) \"\" *", CommandName::list,
       [](const Command& c) {
         EXPECT_TRUE(args_of<ListArgs>(c).select_special_use);
         EXPECT_TRUE(args_of<ListArgs>(c).select_remote);
       }},
      {"A1 LIST \"\" \"\"", CommandName::list},
      {"A1 LIST \"\" * RETURN (SUBSCRIBED)", CommandName::list,
       [](const Command& c) { EXPECT_TRUE(args_of<ListArgs>(c).return_subscribed); }},
      {"A1 LSUB \"#news.\" comp.*", CommandName::lsub,
       [](const Command& c) {
         EXPECT_EQ(args_of<ListArgs>(c).reference, "#news.");
         EXPECT_EQ(args_of<ListArgs>(c).patterns, std::vector<std::string>{"comp.*"});
       }},
      // STATUS.
      {"A1 STATUS blurdybloop (UIDNEXT MESSAGES size deleted recent highestmodseq appendlimit "
       "uidvalidity unseen)",
       CommandName::status,
       [](const Command& c) {
         auto& a = args_of<StatusArgs>(c);
         EXPECT_EQ(a.mailbox, "blurdybloop");
         EXPECT_EQ(a.items.size(), 9u);
         EXPECT_EQ(a.items[0], StatusItem::uidnext);
         EXPECT_EQ(a.items[8], StatusItem::unseen);
       }},
      // APPEND.
      {"A003 APPEND saved-messages (\\Seen) {5}\r\nhello", CommandName::append,
       [](const Command& c) {
         auto& a = args_of<AppendArgs>(c);
         EXPECT_EQ(a.mailbox, "saved-messages");
         ASSERT_EQ(a.messages.size(), 1u);
         EXPECT_EQ(a.messages[0].flags, FlagList{"\\Seen"});
         EXPECT_EQ(a.messages[0].data, "hello");
         EXPECT_FALSE(a.messages[0].internal_date);
       }},
      {"A1 APPEND INBOX \" 7-Feb-1994 21:52:25 -0800\" {2+}\r\nhi", CommandName::append,
       [](const Command& c) {
         auto& m = args_of<AppendArgs>(c).messages[0];
         ASSERT_TRUE(m.internal_date);
         EXPECT_EQ(m.internal_date->epoch, 760686745);
         EXPECT_EQ(m.internal_date->offset_minutes, -480);
       }},
      {bin("A1 APPEND INBOX () \"29-Feb-2000 00:00:00 +0130\" ~{3}\r\na\0b"), CommandName::append,
       [](const Command& c) {
         auto& m = args_of<AppendArgs>(c).messages[0];
         EXPECT_TRUE(m.flags.empty());
         EXPECT_TRUE(m.binary);
         EXPECT_EQ(m.data, std::string("a\0b", 3));
         EXPECT_EQ(m.internal_date->epoch, 951782400 - 90 * 60);
         EXPECT_EQ(m.internal_date->offset_minutes, 90);
       }},
      {"A1 APPEND INBOX (\\Seen $Forwarded) {1}\r\na (\\Draft) {1}\r\nb {0}\r\n",
       CommandName::append,
       [](const Command& c) {
         auto& a = args_of<AppendArgs>(c);
         ASSERT_EQ(a.messages.size(), 3u);
         EXPECT_EQ(a.messages[0].flags, (FlagList{"\\Seen", "$Forwarded"}));
         EXPECT_EQ(a.messages[1].flags, FlagList{"\\Draft"});
         EXPECT_EQ(a.messages[1].data, "b");
         EXPECT_EQ(a.messages[2].data, "");
       }},
      {bin("A1 APPEND INBOX {3}\r\na\0b"), CommandName::append,
       [](const Command& c) {
         EXPECT_EQ(args_of<AppendArgs>(c).messages[0].data, std::string("a\0b", 3));
       }},
      {"A1 APPEND INBOX UTF8 (~{2}\r\nhi)", CommandName::append,
       [](const Command& c) {
         auto& m = args_of<AppendArgs>(c).messages[0];
         EXPECT_TRUE(m.utf8);
         EXPECT_EQ(m.data, "hi");
       }},
      // Sequence sets and FETCH.
      {"A1 FETCH 1:*,5:3,7 FLAGS", CommandName::fetch,
       [](const Command& c) {
         auto& a = args_of<FetchArgs>(c);
         EXPECT_EQ(a.set, seq({{1, kStar}, {5, 3}, {7, 7}}));
         ASSERT_EQ(a.atts.size(), 1u);
         EXPECT_EQ(a.atts[0].kind, FK::flags);
       }},
      {"A1 FETCH * uid", CommandName::fetch,
       [](const Command& c) {
         EXPECT_EQ(args_of<FetchArgs>(c).set, seq({{kStar, kStar}}));
       }},
      {"A1 FETCH 4294967295:*,*:1 UID", CommandName::fetch,
       [](const Command& c) {
         EXPECT_EQ(args_of<FetchArgs>(c).set, seq({{4294967295u, kStar}, {kStar, 1}}));
       }},
      {"A1 FETCH $ FLAGS", CommandName::fetch,
       [](const Command& c) { EXPECT_TRUE(args_of<FetchArgs>(c).set.saved); }},
      {"A1 FETCH 1 ALL", CommandName::fetch,
       [](const Command& c) {
         auto& a = args_of<FetchArgs>(c);
         ASSERT_EQ(a.atts.size(), 4u);
         EXPECT_EQ(a.atts[3].kind, FK::envelope);
       }},
      {"A1 FETCH 1 fast", CommandName::fetch,
       [](const Command& c) { EXPECT_EQ(args_of<FetchArgs>(c).atts.size(), 3u); }},
      {"A1 FETCH 1 FULL", CommandName::fetch,
       [](const Command& c) { EXPECT_EQ(args_of<FetchArgs>(c).atts[4].kind, FK::body); }},
      {"A1 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE from)] BODY.PEEK[1.2.MIME]<0.2048> "
       "BINARY.PEEK[1]<5.10> BINARY.SIZE[] RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT "
       "ENVELOPE INTERNALDATE BODYSTRUCTURE BODY MODSEQ UID BODY[] BODY[TEXT] "
       "BODY[3.HEADER.FIELDS.NOT (X-A)] BODY[1.2] BODY[4.TEXT] BODY[HEADER])",
       CommandName::fetch,
       [](const Command& c) {
         auto& a = args_of<FetchArgs>(c).atts;
         ASSERT_EQ(a.size(), 21u);
         EXPECT_EQ(a[1].kind, FK::body_section);
         EXPECT_FALSE(a[1].peek);
         EXPECT_EQ(a[1].section.text, Section::Text::header_fields);
         EXPECT_EQ(a[1].section.fields, (std::vector<std::string>{"DATE", "FROM"}));
         EXPECT_TRUE(a[2].peek);
         EXPECT_EQ(a[2].section.part, (std::vector<uint32_t>{1, 2}));
         EXPECT_EQ(a[2].section.text, Section::Text::mime);
         EXPECT_EQ(a[2].partial, (Partial{0, 2048}));
         EXPECT_EQ(a[3].kind, FK::binary);
         EXPECT_TRUE(a[3].peek);
         EXPECT_EQ(a[3].partial, (Partial{5, 10}));
         EXPECT_EQ(a[4].kind, FK::binary_size);
         EXPECT_TRUE(a[4].section.part.empty());
         EXPECT_EQ(a[5].kind, FK::rfc822);
         EXPECT_EQ(a[6].kind, FK::rfc822_header);
         EXPECT_EQ(a[7].kind, FK::rfc822_size);
         EXPECT_EQ(a[8].kind, FK::rfc822_text);
         EXPECT_EQ(a[11].kind, FK::bodystructure);
         EXPECT_EQ(a[12].kind, FK::body);
         EXPECT_EQ(a[13].kind, FK::modseq);
         EXPECT_EQ(a[14].kind, FK::uid);
         EXPECT_EQ(a[15].section, Section{});
         EXPECT_EQ(a[16].section.text, Section::Text::text);
         EXPECT_EQ(a[17].section.text, Section::Text::header_fields_not);
         EXPECT_EQ(a[17].section.part, std::vector<uint32_t>{3});
         EXPECT_EQ(a[18].section.text, Section::Text::none);
         EXPECT_EQ(a[19].section.text, Section::Text::text);
         EXPECT_EQ(a[20].section.text, Section::Text::header);
       }},
      {"A1 FETCH 1 BODY[HEADER.FIELDS (\"X Y\" {1}\r\nZ)]", CommandName::fetch,
       [](const Command& c) {
         EXPECT_EQ(args_of<FetchArgs>(c).atts[0].section.fields,
                   (std::vector<std::string>{"X Y", "Z"}));
       }},
      {"A1 FETCH 1 body.peek[]<0.1>", CommandName::fetch,
       [](const Command& c) { EXPECT_TRUE(args_of<FetchArgs>(c).atts[0].peek); }},
      {"A1 FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)", CommandName::fetch,
       [](const Command& c) {
         EXPECT_EQ(args_of<FetchArgs>(c).changed_since, 12345u);
         EXPECT_FALSE(args_of<FetchArgs>(c).vanished);
       }},
      {"A1 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 9223372036854775807 VANISHED)",
       CommandName::fetch,
       [](const Command& c) {
         EXPECT_TRUE(c.uid);
         EXPECT_EQ(c.name_text, "UID FETCH");
         EXPECT_EQ(args_of<FetchArgs>(c).changed_since, 9223372036854775807u);
         EXPECT_TRUE(args_of<FetchArgs>(c).vanished);
       }},
      // STORE.
      {"A1 STORE 2:4 +FLAGS (\\Deleted)", CommandName::store,
       [](const Command& c) {
         auto& a = args_of<StoreArgs>(c);
         EXPECT_EQ(a.op, StoreArgs::Op::add);
         EXPECT_FALSE(a.silent);
         EXPECT_EQ(a.flags, FlagList{"\\Deleted"});
       }},
      {"A1 STORE 1 -flags.silent \\seen \\ANSWERED $Junk", CommandName::store,
       [](const Command& c) {
         auto& a = args_of<StoreArgs>(c);
         EXPECT_EQ(a.op, StoreArgs::Op::remove);
         EXPECT_TRUE(a.silent);
         EXPECT_EQ(a.flags, (FlagList{"\\Seen", "\\Answered", "$Junk"}));
       }},
      {"A1 STORE 1 FLAGS ()", CommandName::store,
       [](const Command& c) {
         EXPECT_EQ(args_of<StoreArgs>(c).op, StoreArgs::Op::replace);
         EXPECT_TRUE(args_of<StoreArgs>(c).flags.empty());
       }},
      {"A1 UID STORE 1 (UNCHANGEDSINCE 0) FLAGS.SILENT (\\Flagged \\Draft)", CommandName::store,
       [](const Command& c) {
         EXPECT_TRUE(c.uid);
         EXPECT_EQ(args_of<StoreArgs>(c).unchanged_since, 0u);
       }},
      // COPY / MOVE / EXPUNGE.
      {"A1 COPY 2:4 MEETING", CommandName::copy,
       [](const Command& c) {
         EXPECT_EQ(args_of<CopyArgs>(c).mailbox, "MEETING");
         EXPECT_EQ(args_of<CopyArgs>(c).set, seq({{2, 4}}));
       }},
      {"A1 UID MOVE 42 inbox", CommandName::move,
       [](const Command& c) {
         EXPECT_TRUE(c.uid);
         EXPECT_EQ(args_of<CopyArgs>(c).mailbox, "INBOX");
       }},
      {"A1 UID EXPUNGE 3000:3002", CommandName::expunge,
       [](const Command& c) {
         EXPECT_EQ(args_of<UidExpungeArgs>(c).set, seq({{3000, 3002}}));
       }},
      // SEARCH.
      {"A1 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", CommandName::search,
       [](const Command& c) {
         auto& a = args_of<SearchArgs>(c);
         EXPECT_FALSE(a.charset);
         EXPECT_FALSE(a.ret);
         ASSERT_EQ(a.key.kind, SK::and_);
         ASSERT_EQ(a.key.children.size(), 3u);
         EXPECT_EQ(a.key.children[0].kind, SK::flagged);
         EXPECT_EQ(a.key.children[1].kind, SK::since);
         EXPECT_EQ(a.key.children[1].date, (Date{1994, 2, 1}));
         EXPECT_EQ(a.key.children[2].kind, SK::not_);
         EXPECT_EQ(a.key.children[2].children[0].kind, SK::from);
         EXPECT_EQ(a.key.children[2].children[0].str, "Smith");
       }},
      {"A1 SEARCH CHARSET UTF-8 TEXT {6}\r\n\xd0\xa5\xd0\xbe\xd1\x80", CommandName::search,
       [](const Command& c) {
         auto& a = args_of<SearchArgs>(c);
         EXPECT_EQ(a.charset, "UTF-8");
         EXPECT_EQ(a.key.children[0].str, "\xd0\xa5\xd0\xbe\xd1\x80");
       }},
      {"A1 SEARCH RETURN (MIN COUNT) CHARSET \"US-ASCII\" OR (UID 1:5 2,4) $", CommandName::search,
       [](const Command& c) {
         auto& a = args_of<SearchArgs>(c);
         EXPECT_EQ(a.ret, (SearchReturn{true, false, false, true, false}));
         auto& orkey = a.key.children[0];
         EXPECT_EQ(orkey.kind, SK::or_);
         EXPECT_EQ(orkey.children[0].kind, SK::and_);
         EXPECT_EQ(orkey.children[0].children[0].kind, SK::uid);
         EXPECT_EQ(orkey.children[0].children[0].set, seq({{1, 5}}));
         EXPECT_EQ(orkey.children[0].children[1].kind, SK::sequence_set);
         EXPECT_EQ(orkey.children[1].kind, SK::sequence_set);
         EXPECT_TRUE(orkey.children[1].set.saved);
       }},
      {"A1 SEARCH RETURN () ALL", CommandName::search,
       [](const Command& c) {
         EXPECT_EQ(args_of<SearchArgs>(c).ret, (SearchReturn{false, false, true, false, false}));
       }},
      {"A1 SEARCH RETURN (SAVE MAX ALL) UNSEEN", CommandName::search,
       [](const Command& c) {
         EXPECT_EQ(args_of<SearchArgs>(c).ret, (SearchReturn{false, true, true, false, true}));
       }},
      {"A1 UID SEARCH all answered bcc x before \"1-Jan-2000\" body y cc z deleted draft "
       "flagged from a header Subject b keyword $Fwd larger 100 new old on 29-Feb-2024 "
       "recent seen sentbefore 1-Jan-2000 senton 1-Jan-2000 sentsince 1-Jan-2000 since "
       "1-Jan-2000 smaller 5 subject s text t to u uid 1 unanswered undeleted undraft "
       "unflagged unkeyword k unseen older 10 younger 20 modseq 5",
       CommandName::search,
       [](const Command& c) {
         EXPECT_TRUE(c.uid);
         auto& k = args_of<SearchArgs>(c).key.children;
         ASSERT_EQ(k.size(), 36u);
         EXPECT_EQ(k[3].kind, SK::before);
         EXPECT_EQ(k[3].date, (Date{2000, 1, 1}));
         EXPECT_EQ(k[10].kind, SK::header);
         EXPECT_EQ(k[10].str, "SUBJECT");
         EXPECT_EQ(k[10].str2, "b");
         EXPECT_EQ(k[11].str, "$Fwd");
         EXPECT_EQ(k[12].number, 100u);
         EXPECT_EQ(k[15].date, (Date{2024, 2, 29}));
         EXPECT_EQ(k[26].kind, SK::uid);
         EXPECT_EQ(k[31].kind, SK::unkeyword);
         EXPECT_EQ(k[33].kind, SK::older);
         EXPECT_EQ(k[33].number, 10u);
         EXPECT_EQ(k[34].kind, SK::younger);
         EXPECT_EQ(k[35].kind, SK::modseq);
         EXPECT_EQ(k[35].number, 5u);
       }},
      {"A1 SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338", CommandName::search,
       [](const Command& c) {
         auto& k = args_of<SearchArgs>(c).key.children[0];
         EXPECT_EQ(k.str, "/flags/\\draft");
         EXPECT_EQ(k.str2, "all");
         EXPECT_EQ(k.number, 620162338u);
       }},
      {"A1 SEARCH SUBJECT \"\xc3\xa9t\xc3\xa9\"", CommandName::search,
       [](const Command& c) {
         EXPECT_EQ(args_of<SearchArgs>(c).key.children[0].str, "\xc3\xa9t\xc3\xa9");
       },
       true},
      {"A1 SEARCH NOT NOT (OR SEEN (DRAFT))", CommandName::search},
      // SORT / THREAD.
      {"A1 SORT (SUBJECT REVERSE DATE displayfrom DISPLAYTO ARRIVAL CC FROM SIZE TO) UTF-8 ALL",
       CommandName::sort,
       [](const Command& c) {
         auto& a = args_of<SortArgs>(c);
         ASSERT_EQ(a.criteria.size(), 9u);
         EXPECT_EQ(a.criteria[0], (SortCriterion{SortCriterion::Key::subject, false}));
         EXPECT_EQ(a.criteria[1], (SortCriterion{SortCriterion::Key::date, true}));
         EXPECT_EQ(a.criteria[2].key, SortCriterion::Key::display_from);
         EXPECT_EQ(a.charset, "UTF-8");
         EXPECT_EQ(a.key.children[0].kind, SK::all);
       }},
      {"A1 UID SORT RETURN (COUNT) (DATE) US-ASCII SINCE 1-Feb-1994", CommandName::sort,
       [](const Command& c) {
         EXPECT_TRUE(c.uid);
         EXPECT_TRUE(args_of<SortArgs>(c).ret->count);
       }},
      {"A1 THREAD references UTF-8 SUBJECT x", CommandName::thread,
       [](const Command& c) {
         EXPECT_EQ(args_of<ThreadArgs>(c).algorithm, "REFERENCES");
         EXPECT_EQ(args_of<ThreadArgs>(c).key.children[0].kind, SK::subject);
       }},
      {"A1 UID THREAD ORDEREDSUBJECT \"UTF-8\" ALL", CommandName::thread},
      // Quota, ACL, COMPRESS, METADATA.
      {"A1 GETQUOTA \"\"", CommandName::getquota,
       [](const Command& c) { EXPECT_EQ(args_of<QuotaRootArgs>(c).root, ""); }},
      {"A1 GETQUOTAROOT inbox", CommandName::getquotaroot,
       [](const Command& c) { EXPECT_EQ(args_of<MailboxArgs>(c).mailbox, "INBOX"); }},
      {"A1 SETQUOTA \"\" (storage 512 MESSAGE 10000)", CommandName::setquota,
       [](const Command& c) {
         auto& l = args_of<SetQuotaArgs>(c).limits;
         ASSERT_EQ(l.size(), 2u);
         EXPECT_EQ(l[0].first, "STORAGE");
         EXPECT_EQ(l[0].second, 512u);
       }},
      {"A1 SETQUOTA x ()", CommandName::setquota},
      {"A1 SETACL INBOX bob +lrs", CommandName::setacl,
       [](const Command& c) {
         auto& a = args_of<AclArgs>(c);
         EXPECT_EQ(a.identifier, "bob");
         EXPECT_EQ(a.rights, "+lrs");
       }},
      {"A1 DELETEACL INBOX \"-bob\"", CommandName::deleteacl,
       [](const Command& c) { EXPECT_EQ(args_of<AclArgs>(c).identifier, "-bob"); }},
      {"A1 LISTRIGHTS INBOX bob", CommandName::listrights},
      {"A1 GETACL INBOX", CommandName::getacl},
      {"A1 MYRIGHTS INBOX", CommandName::myrights},
      {"A1 COMPRESS deflate", CommandName::compress,
       [](const Command& c) { EXPECT_EQ(args_of<CompressArgs>(c).mechanism, "DEFLATE"); }},
      {"A1 GETMETADATA \"\" /shared/comment", CommandName::getmetadata,
       [](const Command& c) {
         auto& a = args_of<GetMetadataArgs>(c);
         EXPECT_EQ(a.mailbox, "");
         EXPECT_EQ(a.entries, std::vector<std::string>{"/shared/comment"});
       }},
      {"A1 GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/private/a /shared/b)",
       CommandName::getmetadata,
       [](const Command& c) {
         auto& a = args_of<GetMetadataArgs>(c);
         EXPECT_EQ(a.max_size, 1024u);
         EXPECT_EQ(a.depth, GetMetadataArgs::Depth::infinity);
         EXPECT_EQ(a.entries.size(), 2u);
       }},
      {"A1 SETMETADATA INBOX (/private/comment \"hi\" /shared/x NIL /shared/y ~{2}\r\n\x01\x02)",
       CommandName::setmetadata,
       [](const Command& c) {
         auto& e = args_of<SetMetadataArgs>(c).entries;
         ASSERT_EQ(e.size(), 3u);
         EXPECT_EQ(e[0].second, "hi");
         EXPECT_FALSE(e[1].second);
         EXPECT_EQ(e[2].second, "\x01\x02");
       }},
  };
}

INSTANTIATE_TEST_SUITE_P(Parser, GoodTable, testing::ValuesIn(good_cases()));

// Every byte value after a valid prefix: never a crash, always an answer.
TEST(Parser, EveryByteIsHandled) {
  const std::string prefixes[] = {
      "A1 ",         "A1 LOGIN ",          "A1 FETCH 1 ",     "A1 SEARCH ",
      "A1 LOGIN \"", "A1 STORE 1 FLAGS (", "A1 FETCH 1 BODY["};
  for (const auto& p : prefixes) {
    for (int b = 0; b < 256; ++b) {
      std::string in = p + static_cast<char>(b);
      for (bool utf8 : {false, true}) {
        auto out = parse_command(in, ParseOptions{utf8});
        if (!out.ok()) {
          EXPECT_FALSE(out.error.message.empty()) << in;
        }
      }
    }
  }
}

// Every prefix of valid commands parses or fails cleanly.
TEST(Parser, EveryPrefixIsHandled) {
  for (const auto& c : good_cases()) {
    for (size_t n = 0; n <= c.input.size(); ++n) {
      auto out = parse_command(std::string_view(c.input).substr(0, n), ParseOptions{c.utf8});
      if (!out.ok()) {
        EXPECT_FALSE(out.error.message.empty());
      }
    }
  }
}

}  // namespace
}  // namespace courriel::imap
