#include "imap/list_match.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace courriel::imap {
namespace {

bool m(std::string_view pattern, std::string_view name) { return list_match(pattern, name, '/'); }

TEST(ListMatch, Literal) {
  EXPECT_TRUE(m("Sent", "Sent"));
  EXPECT_FALSE(m("Sent", "sent"));
  EXPECT_FALSE(m("Sent", "Sent/x"));
  EXPECT_FALSE(m("Sen", "Sent"));
  EXPECT_FALSE(m("Sentx", "Sent"));
  EXPECT_TRUE(m("", ""));
  EXPECT_FALSE(m("", "a"));
}

TEST(ListMatch, Star) {
  EXPECT_TRUE(m("*", "INBOX"));
  EXPECT_TRUE(m("*", "a/b/c"));
  EXPECT_TRUE(m("*", ""));
  EXPECT_TRUE(m("a/*", "a/b/c"));
  EXPECT_TRUE(m("a/*", "a/"));  // only a name ending in '/', which the store never has
  EXPECT_FALSE(m("a/*", "a"));
  EXPECT_TRUE(m("*c", "a/b/c"));
  EXPECT_TRUE(m("a*c", "abc"));
  EXPECT_TRUE(m("a*b*c", "a/b/c"));
  EXPECT_FALSE(m("a*b*c", "a/c/b"));
  EXPECT_TRUE(m("**", "x"));
}

TEST(ListMatch, Percent) {
  EXPECT_TRUE(m("%", "Sent"));
  EXPECT_FALSE(m("%", "a/b"));
  EXPECT_TRUE(m("a/%", "a/b"));
  EXPECT_FALSE(m("a/%", "a/b/c"));
  EXPECT_TRUE(m("%/%", "a/b"));
  EXPECT_TRUE(m("%/%/%", "a/b/c"));
  EXPECT_TRUE(m("S%t", "Sent"));
  EXPECT_FALSE(m("S%t", "S/t"));
  EXPECT_TRUE(m("%", ""));
  EXPECT_TRUE(m("%*", "a/b"));
  EXPECT_TRUE(m("*%", "a/b"));
  EXPECT_TRUE(m("%%/b", "a/b"));
}

TEST(ListMatch, InboxIsCaseInsensitive) {
  EXPECT_TRUE(m("inbox", "INBOX"));
  EXPECT_TRUE(m("InBoX", "INBOX"));
  EXPECT_TRUE(m("inbox/%", "INBOX/Lists"));
  EXPECT_TRUE(m("inb*", "INBOX"));
  EXPECT_TRUE(m("i%", "INBOX"));
  EXPECT_FALSE(m("inbox/lists", "INBOX/Lists"));  // only the first level folds
  // A name that merely starts with INBOX is not INBOX.
  EXPECT_FALSE(m("inboxes", "INBOXES"));
  EXPECT_TRUE(m("INBOXES", "INBOXES"));
}

TEST(ListMatch, Utf8Bytes) {
  EXPECT_TRUE(m("Entw%rfe", "Entwürfe"));
  EXPECT_TRUE(m("Entwürfe", "Entwürfe"));
  EXPECT_TRUE(m("*ü*", "Entwürfe"));
  EXPECT_FALSE(m("Entwurfe", "Entwürfe"));
}

TEST(ListMatch, OtherSeparator) {
  EXPECT_TRUE(list_match("a.%", "a.b", '.'));
  EXPECT_FALSE(list_match("a.%", "a.b.c", '.'));
  EXPECT_TRUE(list_match("%", "a/b", '.'));
}

TEST(ListMatch, NoExponentialBacktracking) {
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "*a";
  pattern += "*b";
  std::string name(400, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(m(pattern, name));
  std::string pct;
  for (int i = 0; i < 200; ++i) pct += "%a";
  pct += "%b";
  EXPECT_FALSE(m(pct, name));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

TEST(ListMatch, CanonicalPattern) {
  EXPECT_EQ(list_canonical_pattern("", "%", '/'), "%");
  EXPECT_EQ(list_canonical_pattern("Lists/", "%", '/'), "Lists/%");
  EXPECT_EQ(list_canonical_pattern("foo", "bar", '/'), "foobar");
  EXPECT_EQ(list_canonical_pattern("foo/", "/bar", '/'), "/bar");
  EXPECT_EQ(list_canonical_pattern("foo/", "", '/'), "foo/");
}

}  // namespace
}  // namespace courriel::imap
