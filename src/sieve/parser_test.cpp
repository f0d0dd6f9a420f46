#include <gtest/gtest.h>

#include "sieve/lexer.h"
#include "sieve/parser.h"
#include "sieve/validator.h"

namespace courriel::sieve {
namespace {

TEST(SieveLexer, TokensAndStrings) {
  auto t = tokenize("if header :Contains \"a\\\"b\\\\c\" [\"x\", \"y\"] 10K # c\n/* multi\nline */ { }");
  ASSERT_TRUE(t.ok()) << t.error().detail;
  const auto& v = *t;
  ASSERT_EQ(v.size(), 13u);
  EXPECT_EQ(v[0].kind, Token::Kind::identifier);
  EXPECT_EQ(v[2].kind, Token::Kind::tag);
  EXPECT_EQ(v[2].text, "contains");
  EXPECT_EQ(v[3].text, "a\"b\\c");
  EXPECT_EQ(v[9].number, 10240u);
  EXPECT_EQ(v[10].kind, Token::Kind::lbrace);
  EXPECT_EQ(v[10].line, 3);
}

TEST(SieveLexer, NumbersWithUnits) {
  auto t = tokenize("1 2k 3M 4G");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)[0].number, 1u);
  EXPECT_EQ((*t)[1].number, 2048u);
  EXPECT_EQ((*t)[2].number, 3u * 1024 * 1024);
  EXPECT_EQ((*t)[3].number, 4ull * 1024 * 1024 * 1024);
  EXPECT_FALSE(tokenize("99999999999999999999").ok());
  EXPECT_FALSE(tokenize("17179869184G").ok());
  EXPECT_FALSE(tokenize("12x").ok());
}

TEST(SieveLexer, MultiLineString) {
  auto t = tokenize("text: # comment\r\nline one\r\n..dotted\r\n.x\r\n.\r\n;");
  ASSERT_TRUE(t.ok()) << t.error().detail;
  EXPECT_EQ((*t)[0].text, "line one\r\n.dotted\r\n.x\r\n");
  EXPECT_EQ((*t)[1].kind, Token::Kind::semicolon);
  EXPECT_EQ((*t)[1].line, 6);
  auto lf = tokenize("text:\nabc\n.\n");
  ASSERT_TRUE(lf.ok());
  EXPECT_EQ((*lf)[0].text, "abc\r\n");
}

struct BadScript {
  const char* script;
  int line;
  const char* fragment;
};

class SieveBadScripts : public ::testing::TestWithParam<BadScript> {};

TEST_P(SieveBadScripts, RejectedWithLine) {
  const BadScript& b = GetParam();
  auto s = parse(b.script);
  ASSERT_FALSE(s.ok()) << b.script;
  EXPECT_EQ(s.code(), Errc::invalid);
  std::string want = "line " + std::to_string(b.line) + ":";
  EXPECT_EQ(s.error().detail.rfind(want, 0), 0u) << s.error().detail;
  EXPECT_NE(s.error().detail.find(b.fragment), std::string::npos) << s.error().detail;
}

INSTANTIATE_TEST_SUITE_P(
    All, SieveBadScripts,
    ::testing::Values(
        BadScript{"keep;\nfrobnicate;", 2, "unknown command"},
        BadScript{"keep;\n\nfileinto \"x\";", 3, "requires \"fileinto\""},
        BadScript{"require \"fileinto\";\nif header :bogus \"a\" \"b\" { keep; }", 2, "unknown tagged argument :bogus"},
        BadScript{"keep;\nif header \"a\" \"b\n{ keep; }", 2, "unterminated string"},
        BadScript{"keep;\n/* never\nclosed", 2, "unterminated comment"},
        BadScript{"require \"fileinto\";\nfileinto;", 2, "missing argument"},
        BadScript{"require \"fileinto\";\nfileinto \"a\" \"b\";", 2, "too many arguments"},
        BadScript{"require \"vacation\";\nvacation :days 0 \"gone\";", 2, ":days"},
        BadScript{"require \"bogus-ext\";", 1, "unknown extension"},
        BadScript{"keep;\nrequire \"fileinto\";", 2, "require must come before"},
        BadScript{"if true { require \"fileinto\"; }", 1, "require must be at the top level"},
        BadScript{"keep", 1, "expected ';'"},
        BadScript{"if true {\nkeep;\n", 3, "missing '}'"},
        BadScript{"}", 1, "unexpected '}'"},
        BadScript{"else { keep; }", 1, "else without if"},
        BadScript{"keep;\nelsif true { keep; }", 2, "elsif without if"},
        BadScript{"if header :is :contains \"a\" \"b\" { keep; }", 1, "conflicts"},
        BadScript{"if header :is :is \"a\" \"b\" { keep; }", 1, "duplicate"},
        BadScript{"if header :comparator \"i;bogus\" \"a\" \"b\" { keep; }", 1, "unknown comparator"},
        BadScript{"if header :comparator \"i;ascii-numeric\" \"a\" \"1\" { keep; }", 1, "requires"},
        BadScript{"if header :comparator \"i;octet\" :regex \"a\" \"b\" { keep; }", 1, "requires \"regex\""},
        BadScript{"require \"regex\";\nif header :regex \"a\" \"(\" { keep; }", 2, "bad regex"},
        BadScript{"require \"regex\";\nif header :regex \"a\" \"(a)\\\\1\" { keep; }", 2, "back-references"},
        BadScript{"if size 100 { keep; }", 1, "too many arguments"},
        BadScript{"if size { keep; }", 1, "size needs :over or :under"},
        BadScript{"if size :over \"x\" { keep; }", 1, "needs a number"},
        BadScript{"if size :over 1 :under 2 { keep; }", 1, "conflicts"},
        BadScript{"if header [\"a\"] { keep; }", 1, "missing argument"},
        BadScript{"if not (true, false) { keep; }", 1, "exactly one test"},
        BadScript{"if allof true { keep; }", 1, "test list"},
        BadScript{"if true keep;", 1, "needs a block"},
        BadScript{"if true { keep; } keep", 1, "expected ';' or '{'"},
        BadScript{"if true;", 1, "needs a block"},
        BadScript{"keep { }", 1, "takes no block"},
        BadScript{"keep true;", 1, "takes no test"},
        BadScript{"if keep { stop; }", 1, "command used as a test"},
        BadScript{"if true { stop; }\nexists \"x\";", 2, "test used as a command"},
        BadScript{"redirect \"not an address\";", 1, "bad redirect address"},
        BadScript{"redirect [\"a@b.c\", \"d@e.f\"];", 1, "needs a string"},
        BadScript{"require \"envelope\";\nif envelope \"bogus\" \"x\" { keep; }", 2, "unknown envelope part"},
        BadScript{"require \"relational\";\nif header :value \"xx\" \"a\" \"b\" { keep; }", 2, "relational operator"},
        BadScript{"if header :count \"eq\" \"a\" \"1\" { keep; }", 1, "requires \"relational\""},
        BadScript{"require \"index\";\nif header :last \"a\" \"b\" { keep; }", 2, ":last needs :index"},
        BadScript{"require \"index\";\nif header :index 0 \"a\" \"b\" { keep; }", 2, "at least 1"},
        BadScript{"require \"date\";\nif date \"date\" \"fortnight\" \"x\" { keep; }", 2, "unknown date part"},
        BadScript{"require \"date\";\nif date :zone \"EST\" \"date\" \"year\" \"x\" { keep; }", 2, "bad zone"},
        BadScript{"require \"variables\";\nset \"1bad\" \"x\";", 2, "bad variable name"},
        BadScript{"require \"variables\";\nset :lower :upper \"a\" \"x\";", 2, "conflicts"},
        BadScript{"require \"imap4flags\";\nkeep :flags;", 2, "needs an argument"},
        BadScript{"keep :flags \"\\\\Seen\";", 1, "requires \"imap4flags\""},
        BadScript{"require \"fileinto\";\nfileinto :copy \"x\";", 2, "requires \"copy\""},
        BadScript{"require \"fileinto\";\nfileinto :create \"x\";", 2, "requires \"mailbox\""},
        BadScript{"if header \"bad name\" \"x\" { keep; }", 1, "bad header name"},
        BadScript{"if header \"a\" \"b\" :is { keep; }", 1, "after positional"},
        BadScript{"require [\"fileinto\" \"reject\"];", 1, "expected ',' or ']'"},
        BadScript{"@", 1, "unexpected character"},
        BadScript{"keep;\n\n\n  text:\nabc\n", 4, "unterminated multi-line"}));

TEST(SieveParser, NestingLimit) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "if true {\n";
  for (int i = 0; i < 40; ++i) deep += "}\n";
  auto s = parse(deep);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().detail.find("nesting too deep"), std::string::npos);
  std::string tests = "if ";
  for (int i = 0; i < 40; ++i) tests += "not ";
  tests += "true { keep; }";
  EXPECT_FALSE(parse(tests).ok());
}

TEST(SieveParser, SizeLimit) {
  std::string big(kMaxScriptSize + 1, '#');
  EXPECT_FALSE(parse(big).ok());
}

TEST(SieveParser, GoodScripts) {
  const char* good[] = {
      "",
      "# only a comment\n",
      "keep;",
      "require [\"fileinto\", \"reject\", \"envelope\", \"imap4flags\", \"body\", \"relational\",\n"
      "  \"subaddress\", \"copy\", \"vacation\", \"variables\", \"date\", \"index\", \"mailbox\",\n"
      "  \"regex\", \"comparator-i;ascii-numeric\", \"ereject\"];\n"
      "if anyof (header :contains \"subject\" \"x\", not exists \"y\",\n"
      "          allof (true, size :under 1M)) { discard; stop; }\n"
      "elsif address :localpart :is \"from\" \"bob\" { fileinto :copy :create \"a\"; }\n"
      "else { redirect :copy \"x@y.z\"; }\n"
      "if header :comparator \"i;ascii-numeric\" :value \"ge\" \"X-Spam-Score\" \"10\" { discard; }\n"
      "setflag \"\\\\Seen\"; addflag \"var\" [\"a\", \"b\"]; removeflag \"a\";\n"
      "set :lower :upperfirst \"name\" \"VALUE\";\n"
      "if string :matches \"${name}\" \"V*\" { keep :flags \"${1}\"; }\n"
      "if date :zone \"+0100\" :index 1 :last \"date\" \"year\" \"2005\" { keep; }\n"
      "if currentdate :zone \"-0500\" \"weekday\" \"0\" { keep; }\n"
      "if body :content \"text\" :contains \"x\" { keep; }\n"
      "if envelope :user \"to\" \"bob\" { keep; }\n"
      "if mailboxexists \"Spam\" { fileinto \"Spam\"; }\n"
      "if hasflag :contains \"\\\\Seen\" { keep; }\n"
      "if header :regex \"subject\" \"^a[0-9]{2}$\" { keep; }\n"
      "vacation :days 3 :subject \"s\" :from \"b@c.d\" :addresses [\"e@f.g\"] :mime :handle \"h\" text:\n"
      "Content-Type: text/plain\n\nI am away.\n.\n;\n"
      "ereject \"no\";\n",
      "REQUIRE \"fileinto\"; FileInto \"x\";",
  };
  for (const char* g : good) {
    auto s = parse(g);
    EXPECT_TRUE(s.ok()) << g << "\n" << (s.ok() ? "" : s.error().detail);
  }
}

TEST(SieveParser, TreeShape) {
  auto s = parse("require \"fileinto\";\nif header :is [\"a\", \"b\"] \"c\" { fileinto \"x\"; } else { keep; }");
  ASSERT_TRUE(s.ok()) << s.error().detail;
  ASSERT_EQ(s->commands.size(), 3u);
  const Node& n = s->commands[1];
  EXPECT_EQ(n.name, "if");
  EXPECT_EQ(n.line, 2);
  ASSERT_EQ(n.tests.size(), 1u);
  const Node& t = n.tests[0];
  EXPECT_EQ(t.name, "header");
  ASSERT_NE(t.tag("is"), nullptr);
  ASSERT_EQ(t.positional.size(), 2u);
  EXPECT_EQ(t.positional[0].strings, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(t.positional[0].is_list);
  EXPECT_FALSE(t.positional[1].is_list);
  EXPECT_EQ(n.block.size(), 1u);
  EXPECT_TRUE(s->has("fileinto"));
}

TEST(SieveValidator, SupportedExtensions) {
  EXPECT_TRUE(is_supported_extension("vacation"));
  EXPECT_TRUE(is_supported_extension("comparator-i;ascii-numeric"));
  EXPECT_FALSE(is_supported_extension("editheader"));
  EXPECT_FALSE(is_supported_extension("Vacation"));
  EXPECT_NE(supported_extensions().find("imap4flags"), std::string_view::npos);
}

}  // namespace
}  // namespace courriel::sieve
