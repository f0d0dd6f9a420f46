#include <gtest/gtest.h>

#include "sieve/address_part.h"
#include "sieve/date.h"
#include "sieve/encoded_character.h"
#include "sieve/match.h"
#include "sieve/variables.h"

namespace courriel::sieve {
namespace {

struct WildCase {
  const char* pattern;
  const char* value;
  bool fold;
  bool want;
};

TEST(SieveMatch, Wildcards) {
  const WildCase cases[] = {
      {"", "", false, true},          {"", "a", false, false},       {"*", "", false, true},
      {"*", "anything", false, true}, {"a*", "abc", false, true},    {"*c", "abc", false, true},
      {"*b*", "abc", false, true},    {"a?c", "abc", false, true},   {"a?c", "ac", false, false},
      {"A*", "abc", false, false},    {"A*", "abc", true, true},     {"a\\*c", "a*c", false, true},
      {"a\\*c", "abc", false, false}, {"a\\?", "a?", false, true},   {"**a**", "xxa", false, true},
      {"*a*b*c*", "xaxbxcx", false, true}, {"*a*b*c*", "xaxcxbx", false, false},
      {"?", "é", false, true},        {"*ab", "aab", false, true},   {"a*a*a", "aaaa", false, true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(wildcard_match(c.pattern, c.value, c.fold, nullptr), c.want) << c.pattern << " ~ " << c.value;
}

TEST(SieveMatch, WildcardWorstCaseIsQuick) {
  std::string value(20000, 'a');
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "*a";
  pattern += "b";
  EXPECT_FALSE(wildcard_match(pattern, value, false, nullptr));
}

TEST(SieveMatch, Captures) {
  std::vector<std::string> caps;
  ASSERT_TRUE(wildcard_match("*@*.?", "joe@example.c", false, &caps));
  EXPECT_EQ(caps, (std::vector<std::string>{"joe@example.c", "joe", "example", "c"}));
}

TEST(SieveMatch, Comparators) {
  EXPECT_EQ(compare(Comparator::octet, "a", "B"), 1);
  EXPECT_EQ(compare(Comparator::casemap, "a", "B"), -1);
  EXPECT_EQ(compare(Comparator::casemap, "ABC", "abc"), 0);
  EXPECT_EQ(compare(Comparator::numeric, "10", "9"), 1);
  EXPECT_EQ(compare(Comparator::numeric, "007", "7"), 0);
  EXPECT_EQ(compare(Comparator::numeric, "x", "99999"), 1);  // no digits: infinity
  EXPECT_EQ(compare(Comparator::numeric, "x", "y"), 0);
  EXPECT_EQ(compare(Comparator::numeric, "12abc", "12"), 0);
  EXPECT_EQ(parse_comparator("i;octet"), Comparator::octet);
  EXPECT_EQ(parse_comparator("i;bogus"), std::nullopt);
}

TEST(SieveMatch, MatchTypes) {
  MatchSpec is{MatchKind::is, Comparator::casemap, Relation::eq};
  EXPECT_TRUE(match_value(is, "Hello", "hELLO", nullptr));
  EXPECT_FALSE(match_value(is, "Hello", "Hell", nullptr));
  MatchSpec contains{MatchKind::contains, Comparator::octet, Relation::eq};
  EXPECT_TRUE(match_value(contains, "Hello", "ell", nullptr));
  EXPECT_FALSE(match_value(contains, "Hello", "ELL", nullptr));
  EXPECT_TRUE(match_value(contains, "Hello", "", nullptr));
  MatchSpec value{MatchKind::value, Comparator::numeric, Relation::ge};
  EXPECT_TRUE(match_value(value, "10", "9", nullptr));
  EXPECT_FALSE(match_value(value, "8", "9", nullptr));
  for (auto [name, rel, want] : {std::tuple{"gt", Relation::gt, false}, {"ge", Relation::ge, true},
                                 {"lt", Relation::lt, false}, {"le", Relation::le, true},
                                 {"eq", Relation::eq, true}, {"ne", Relation::ne, false}}) {
    EXPECT_EQ(parse_relation(name), rel);
    EXPECT_EQ(relation_holds(rel, 0), want) << name;
  }
  EXPECT_EQ(parse_relation("GE"), Relation::ge);
  EXPECT_EQ(parse_relation("xx"), std::nullopt);
}

TEST(SieveMatch, Regex) {
  EXPECT_TRUE(check_regex("^a(b|c)+$", 0).ok());
  EXPECT_FALSE(check_regex("(", 0).ok());
  EXPECT_FALSE(check_regex("(a)\\1", 0).ok());
  EXPECT_FALSE(check_regex("a{1000}", 0).ok());
  EXPECT_FALSE(check_regex(std::string(kMaxRegexSize + 1, 'a'), 0).ok());
  // Repetitions that glibc expands exponentially (fuzz_sieve_parser ran out of
  // memory on the first), and ordinary ones that stay allowed.
  EXPECT_FALSE(check_regex("^(a)(l" + std::string(32, '+') + ")", 0).ok());
  EXPECT_FALSE(check_regex("((((((((((((((a+)+)+)+)+)+)+)+)+)+)+)+)+)+)", 0).ok());
  EXPECT_FALSE(check_regex("((a{64}){64}){2}", 0).ok());
  EXPECT_FALSE(check_regex("((x{60,}){60}){2}", 0).ok());
  EXPECT_TRUE(check_regex("a+b+c+", 0).ok());
  EXPECT_TRUE(check_regex("((a+)+)+", 0).ok());
  EXPECT_TRUE(check_regex("[+{]+\\++x{2,5}", 0).ok());
  EXPECT_TRUE(check_regex("^([0-9]{1,3}\\.){3}[0-9]{1,3}$", 0).ok());
  EXPECT_TRUE(check_regex("(ab|cd){64}", 0).ok());
  MatchSpec re{MatchKind::regex, Comparator::casemap, Relation::eq};
  std::vector<std::string> caps;
  EXPECT_TRUE(match_value(re, "Order 1234 SHIPPED", "([0-9]+) (shipped)", &caps));
  ASSERT_EQ(caps.size(), 3u);
  EXPECT_EQ(caps[1], "1234");
  EXPECT_EQ(caps[2], "SHIPPED");
  MatchSpec re_octet{MatchKind::regex, Comparator::octet, Relation::eq};
  EXPECT_FALSE(match_value(re_octet, "SHIPPED", "shipped", nullptr));
}

TEST(SieveAddressPart, Parts) {
  EXPECT_EQ(address_part("Bob+x@Ex.com", AddressPart::all), "Bob+x@Ex.com");
  EXPECT_EQ(address_part("Bob+x@Ex.com", AddressPart::localpart), "Bob+x");
  EXPECT_EQ(address_part("Bob+x@Ex.com", AddressPart::domain), "Ex.com");
  EXPECT_EQ(address_part("Bob+x@Ex.com", AddressPart::user), "Bob");
  EXPECT_EQ(address_part("Bob+x@Ex.com", AddressPart::detail), "x");
  EXPECT_EQ(address_part("Bob+@Ex.com", AddressPart::detail), "");
  EXPECT_EQ(address_part("Bob@Ex.com", AddressPart::detail), std::nullopt);
  EXPECT_EQ(address_part("Bob@Ex.com", AddressPart::user), "Bob");
  EXPECT_TRUE(valid_redirect_address("a@b.c"));
  EXPECT_FALSE(valid_redirect_address("a b@c.d"));
  EXPECT_FALSE(valid_redirect_address("@c.d"));
  EXPECT_FALSE(valid_redirect_address("abc"));
  EXPECT_FALSE(valid_redirect_address("a@b.c\r\nRCPT TO:<x@y>"));
}

TEST(SieveDate, ParseAndParts) {
  auto d = parse_date_time("Tue, 11 Oct 2005 12:13:14 -0500 (EST)");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->offset_minutes, -300);
  EXPECT_EQ(date_part(d->epoch, 0, "iso8601"), "2005-10-11T17:13:14+00:00");
  EXPECT_EQ(date_part(d->epoch, d->offset_minutes, "std11"), "Tue, 11 Oct 2005 12:13:14 -0500");
  EXPECT_EQ(date_part(d->epoch, 0, "julian"), "53654");
  EXPECT_EQ(date_part(d->epoch, 0, "weekday"), "2");
  EXPECT_EQ(date_part(d->epoch, 0, "bogus"), "");
  EXPECT_EQ(date_part(0, 0, "date"), "1970-01-01");
  EXPECT_EQ(date_part(-1, 0, "time"), "23:59:59");
  EXPECT_EQ(date_part(-1, 0, "weekday"), "3");
  auto obs = parse_date_time("11 Oct 05 12:13 PDT");
  ASSERT_TRUE(obs.has_value());
  EXPECT_EQ(obs->offset_minutes, -420);
  EXPECT_EQ(date_part(obs->epoch, obs->offset_minutes, "second"), "00");
  EXPECT_FALSE(parse_date_time("yesterday").has_value());
  EXPECT_FALSE(parse_date_time("32 Jan 2005").has_value());
  EXPECT_FALSE(parse_date_time("1 Jan 2005 25:00").has_value());
  EXPECT_EQ(parse_zone("+0130"), 90);
  EXPECT_EQ(parse_zone("-0000"), 0);
  EXPECT_EQ(parse_zone("0130"), std::nullopt);
  EXPECT_EQ(parse_zone("+2460"), std::nullopt);
  EXPECT_TRUE(is_date_part("ISO8601"));
  EXPECT_FALSE(is_date_part("week"));
}

TEST(SieveVariables, Expand) {
  Variables v;
  v.set("Name", "x");
  v.match = {"all", "one"};
  EXPECT_EQ(expand("a${name}b${NAME}", v), "axbx");
  EXPECT_EQ(expand("${0}/${1}/${2}/${99999999999}", v), "all/one//");
  EXPECT_EQ(expand("${unknown}${env.x}", v), "");
  EXPECT_EQ(expand("${", v), "${");
  EXPECT_EQ(expand("${a b}", v), "${a b}");
  EXPECT_EQ(expand("$${name}}", v), "$x}");
  EXPECT_TRUE(valid_variable_name("_a1"));
  EXPECT_FALSE(valid_variable_name("1a"));
  EXPECT_FALSE(valid_variable_name(""));
  EXPECT_FALSE(valid_variable_name("a.b"));
  EXPECT_EQ(quote_wildcard("a*b?c\\"), "a\\*b\\?c\\\\");
}

TEST(SieveVariables, Limits) {
  Variables v;
  for (size_t i = 0; i < kMaxVariables; ++i) EXPECT_TRUE(v.set("v" + std::to_string(i), "x"));
  EXPECT_FALSE(v.set("onemore", "x"));
  EXPECT_TRUE(v.set("v0", std::string(kMaxVariableSize + 10, 'a')));
  EXPECT_EQ(v.get("v0")->size(), kMaxVariableSize);
}

TEST(SieveEncodedCharacter, Rfc5228Examples) {
  const std::pair<const char*, const char*> cases[] = {
      {"$${hex:40}", "$@"},          {"${hex: 40 }", "@"},
      {"${HEX: 40}", "@"},           {"${hex:40", "${hex:40"},
      {"${hex:400}", "${hex:400}"},  {"${hex:4${hex:30}}", "${hex:40}"},
      {"${unicode:40}", "@"},        {"${ unicode:40}", "${ unicode:40}"},
      {"${UNICODE:40}", "@"},        {"${UnICoDE:0000040}", "@"},
      {"${Unicode:40}", "@"},        {"${Unicode:Cool_Name}", "${Unicode:Cool_Name}"},
      {"${unicode:e9 20AC}", "\xC3\xA9\xE2\x82\xAC"},
      {"${hex:24 24}", "$$"},        {"${hex:}", "${hex:}"},
      {"${hex:4040}", "${hex:4040}"},
  };
  for (const auto& [in, want] : cases) {
    auto r = decode_encoded_characters(in);
    ASSERT_TRUE(r.ok()) << in;
    EXPECT_EQ(*r, want) << in;
  }
  EXPECT_FALSE(decode_encoded_characters("${unicode:D800}").ok());
  EXPECT_FALSE(decode_encoded_characters("${unicode:110000}").ok());
  EXPECT_FALSE(decode_encoded_characters("${unicode:FFFFFFFFFFFFFFFFFFFFFF}").ok());
  EXPECT_EQ(*decode_encoded_characters("${unicode:D800"), "${unicode:D800");
}

}  // namespace
}  // namespace courriel::sieve
