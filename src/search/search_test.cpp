#include "search/search.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "imap/parser/command_parser.h"
#include "search/date.h"
#include "search/test_message.h"

namespace courriel::search {
namespace {

using testing::FakeMailbox;
using testing::FakeMessage;

imap::SearchArgs parse_search(std::string_view program) {
  imap::ParseOptions opts;
  opts.utf8_accepted = true;
  auto out = imap::parse_command("A SEARCH " + std::string(program), opts);
  EXPECT_TRUE(out.ok()) << program << ": " << out.error.message;
  if (!out.ok()) return {};
  return std::get<imap::SearchArgs>(out.command->args);
}

std::vector<uint32_t> run(FakeMailbox& mb, std::string_view program, const SearchEnv& env) {
  imap::SearchArgs args = parse_search(program);
  std::optional<std::string_view> charset;
  if (args.charset) charset = *args.charset;
  Result<CompiledSearch> c = compile(args.key, charset);
  EXPECT_TRUE(c.ok()) << program;
  if (!c.ok()) return {};
  std::vector<uint32_t> out;
  for (auto& m : mb.messages) {
    if (matches(*c, *m, env)) out.push_back(m->seq());
  }
  return out;
}

using V = std::vector<uint32_t>;

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 1: plain ASCII.
    FakeMessage& m1 = mb.add(
        "From: \"Joe Smith\" <joe@example.com>\r\n"
        "To: alice@example.org\r\n"
        "Cc: Bob <bob@x.test>\r\n"
        "Subject: Hello world\r\n"
        "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
        "Message-ID: <1@example.com>\r\n"
        "\r\n"
        "plain body text, nothing fancy\r\n",
        101);
    m1.meta_.flags.system = store::kSeen | store::kAnswered;
    m1.meta_.flags.keywords = {"$Forwarded", "Work"};
    m1.meta_.modseq = 5;
    m1.meta_.internal_date = days_from_civil(1994, 2, 8) * 86400 + 5 * 3600;  // 05:52Z
    // 2: encoded words, quoted-printable Latin-1 body.
    FakeMessage& m2 = mb.add(
        "From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.fr>\r\n"
        "To: =?UTF-8?B?0JjQstCw0L0=?= <ivan@example.ru>\r\n"
        "Subject: =?UTF-8?Q?Caf=C3=A9_=C3=9Cmlaut?=\r\n"
        "Date: 3 Jan 99 23:30 EST\r\n"
        "X-Custom: Some Value\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "\r\n"
        "Un caf=E9 na=EFf, tr=E8s =\r\nlong.\r\n",
        102);
    m2.meta_.flags.system = store::kFlagged | store::kDraft;
    m2.meta_.modseq = 9;
    m2.meta_.internal_date = days_from_civil(1999, 1, 4) * 86400 + 4 * 3600 + 1800;
    m2.recent_ = true;
    // 3: base64 UTF-8 body in a multipart, Cyrillic, Bcc.
    FakeMessage& m3 = mb.add(
        "From: Мария <maria@example.ru>\r\n"
        "Bcc: hidden@example.net\r\n"
        "Subject: Re: Hello world\r\n"
        "Date: Sun, 31 Dec 2000 16:01:33 -0800\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
        "\r\n"
        "--b\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "0J/RgNC40LLQtdGCINC80LjRgCwgw4RwZmVsIHVuZCDDpHBmZWwu\r\n"
        "--b--\r\n",
        103);
    m3.meta_.modseq = 7;
    m3.meta_.internal_date = days_from_civil(2001, 1, 1) * 86400 + 30;
    m3.meta_.internal_date_offset = 60;  // 01:00:30 +0100 on Jan 1
    m3.recent_ = true;
    m3.meta_.flags.system = store::kSeen | store::kDeleted;
    // 4: no Date, no Subject, obsolete date elsewhere.
    FakeMessage& m4 = mb.add(
        "From: nobody@example.com\r\n"
        "\r\n"
        "x\r\n",
        200);
    m4.meta_.modseq = 1;
    m4.meta_.internal_date = days_from_civil(2020, 6, 15) * 86400 - 3600;  // 23:00Z Jun 14
    m4.meta_.internal_date_offset = 120;                                      // 01:00 Jun 15 +0200
    env.max_seq = 4;
    env.max_uid = 200;
    env.now = days_from_civil(2020, 6, 16) * 86400;
  }
  V s(std::string_view program) { return run(mb, program, env); }

  FakeMailbox mb;
  SearchEnv env;
};

TEST_F(SearchTest, FlagKeys) {
  EXPECT_EQ(s("ALL"), (V{1, 2, 3, 4}));
  EXPECT_EQ(s("SEEN"), (V{1, 3}));
  EXPECT_EQ(s("UNSEEN"), (V{2, 4}));
  EXPECT_EQ(s("ANSWERED"), (V{1}));
  EXPECT_EQ(s("UNANSWERED"), (V{2, 3, 4}));
  EXPECT_EQ(s("FLAGGED"), (V{2}));
  EXPECT_EQ(s("UNFLAGGED"), (V{1, 3, 4}));
  EXPECT_EQ(s("DELETED"), (V{3}));
  EXPECT_EQ(s("UNDELETED"), (V{1, 2, 4}));
  EXPECT_EQ(s("DRAFT"), (V{2}));
  EXPECT_EQ(s("UNDRAFT"), (V{1, 3, 4}));
  EXPECT_EQ(s("RECENT"), (V{2, 3}));
  EXPECT_EQ(s("OLD"), (V{1, 4}));
  EXPECT_EQ(s("NEW"), (V{2}));
}

TEST_F(SearchTest, Keywords) {
  EXPECT_EQ(s("KEYWORD work"), (V{1}));
  EXPECT_EQ(s("KEYWORD $forwarded"), (V{1}));
  EXPECT_EQ(s("KEYWORD Other"), (V{}));
  EXPECT_EQ(s("UNKEYWORD WORK"), (V{2, 3, 4}));
}

TEST_F(SearchTest, Sizes) {
  uint64_t size2 = mb.messages[1]->meta_.size;
  ASSERT_GT(size2, mb.messages[2]->meta_.size);  // m2 is the largest
  EXPECT_EQ(s("LARGER " + std::to_string(size2 - 1)), (V{2}));
  EXPECT_EQ(s("LARGER " + std::to_string(size2)), (V{}));
  EXPECT_EQ(s("LARGER 1000000"), (V{}));
  EXPECT_EQ(s("SMALLER 40"), (V{4}));
  EXPECT_EQ(s("SMALLER " + std::to_string(size2)), (V{1, 3, 4}));
  EXPECT_EQ(s("SMALLER " + std::to_string(size2 + 1)), (V{1, 2, 3, 4}));
  EXPECT_EQ(s("NOT LARGER " + std::to_string(size2)), (V{1, 2, 3, 4}));
}

TEST_F(SearchTest, InternalDateUsesItsOwnZone) {
  // m1: 1994-02-08 05:52Z (zone +0000); m3: 2001-01-01 00:00:30Z given as
  // +0100 -> Jan 1; m4: 2020-06-14 23:00Z given as +0200 -> Jun 15.
  EXPECT_EQ(s("ON 8-Feb-1994"), (V{1}));
  EXPECT_EQ(s("ON 15-Jun-2020"), (V{4}));
  EXPECT_EQ(s("ON 14-Jun-2020"), (V{}));
  EXPECT_EQ(s("BEFORE 15-Jun-2020"), (V{1, 2, 3}));
  EXPECT_EQ(s("SINCE 15-Jun-2020"), (V{4}));
  EXPECT_EQ(s("SINCE 1-Jan-2001"), (V{3, 4}));
  EXPECT_EQ(s("BEFORE 1-Jan-2001"), (V{1, 2}));
  EXPECT_EQ(s("BEFORE 1-Jan-1990"), (V{}));
}

TEST_F(SearchTest, InternalDateZoneBothSidesOfMidnight) {
  FakeMailbox box;
  // The same instant, 2021-03-10T23:30Z, given in two zones.
  int64_t t = days_from_civil(2021, 3, 10) * 86400 + 23 * 3600 + 1800;
  FakeMessage& a = box.add("Subject: a\r\n\r\n");
  a.meta_.internal_date = t;
  a.meta_.internal_date_offset = 0;
  FakeMessage& b = box.add("Subject: b\r\n\r\n");
  b.meta_.internal_date = t;
  b.meta_.internal_date_offset = 60;  // 00:30 on the 11th
  FakeMessage& c = box.add("Subject: c\r\n\r\n");
  c.meta_.internal_date = t + 3600;      // 00:30Z on the 11th
  c.meta_.internal_date_offset = -300;  // 19:30 on the 10th
  SearchEnv e{3, 30, std::nullopt, 0};
  EXPECT_EQ(run(box, "ON 10-Mar-2021", e), (V{1, 3}));
  EXPECT_EQ(run(box, "ON 11-Mar-2021", e), (V{2}));
  EXPECT_EQ(run(box, "SINCE 11-Mar-2021", e), (V{2}));
  EXPECT_EQ(run(box, "BEFORE 11-Mar-2021", e), (V{1, 3}));
}

TEST_F(SearchTest, SentDates) {
  // m1: 7 Feb 1994 (-0800) even though that is the 8th in UTC.
  EXPECT_EQ(s("SENTON 7-Feb-1994"), (V{1}));
  EXPECT_EQ(s("SENTON 8-Feb-1994"), (V{}));
  // m2: "3 Jan 99 23:30 EST": obsolete year, no seconds, named zone.
  EXPECT_EQ(s("SENTON 3-Jan-1999"), (V{2}));
  // m3: 31 Dec 2000 16:01:33 -0800, which is Jan 1 2001 in UTC.
  EXPECT_EQ(s("SENTON 31-Dec-2000"), (V{3}));
  EXPECT_EQ(s("SENTBEFORE 1-Jan-2001"), (V{1, 2, 3}));
  // m4 has no Date: its internal date (Jun 15 in its zone) stands in.
  EXPECT_EQ(s("SENTON 15-Jun-2020"), (V{4}));
  EXPECT_EQ(s("SENTSINCE 4-Jan-1999"), (V{3, 4}));
  EXPECT_EQ(s("SENTSINCE 3-Jan-1999"), (V{2, 3, 4}));
  EXPECT_EQ(s("SENTBEFORE 3-Jan-1999"), (V{1}));
}

TEST_F(SearchTest, SentBeforeObsoleteFormsAndFallback) {
  FakeMailbox box;
  box.add("Date: Thu, 13 Feb 69 23:32 -0330 (Newfoundland Time)\r\n\r\n");  // 1969
  box.add("Date: 1 Jan 049 00:00:00 GMT\r\n\r\n");                          // 3-digit: 1949
  box.add("Date: Fri, 21 Nov 1997 09(comment):   55  :  06 -0600\r\n\r\n");
  box.add("Date: 5-Mar-2003 10:00:00 +0000\r\n\r\n");
  FakeMessage& bad = box.add("Date: not a date at all\r\n\r\n");
  bad.meta_.internal_date = days_from_civil(2010, 5, 5) * 86400;
  FakeMessage& m6 = box.add("Date: Wed, 17 Jul 1996 02:23:25 PDT\r\n\r\n");
  (void)m6;
  SearchEnv e{6, 60, std::nullopt, 0};
  EXPECT_EQ(run(box, "SENTON 13-Feb-1969", e), (V{1}));
  EXPECT_EQ(run(box, "SENTON 1-Jan-1949", e), (V{2}));
  EXPECT_EQ(run(box, "SENTON 21-Nov-1997", e), (V{3}));
  EXPECT_EQ(run(box, "SENTON 5-Mar-2003", e), (V{4}));
  EXPECT_EQ(run(box, "SENTON 5-May-2010", e), (V{5}));
  EXPECT_EQ(run(box, "SENTON 17-Jul-1996", e), (V{6}));
  EXPECT_EQ(run(box, "SENTBEFORE 1-Jan-1970", e), (V{1, 2}));
  EXPECT_EQ(run(box, "SENTBEFORE 1-Jan-2000", e), (V{1, 2, 3, 6}));
}

TEST_F(SearchTest, AddressKeys) {
  EXPECT_EQ(s("FROM joe"), (V{1}));
  EXPECT_EQ(s("FROM \"JOE SMITH\""), (V{1}));
  EXPECT_EQ(s("FROM example.com"), (V{1, 4}));
  EXPECT_EQ(s("FROM \"andré\""), (V{2}));  // encoded word decoded
  EXPECT_EQ(s("FROM \"ANDRÉ\""), (V{2}));
  EXPECT_EQ(s("FROM \"мария\""), (V{3}));  // Cyrillic case-insensitive
  EXPECT_EQ(s("FROM \"МАРИЯ\""), (V{3}));
  EXPECT_EQ(s("FROM nosuch"), (V{}));
  EXPECT_EQ(s("TO alice"), (V{1}));
  EXPECT_EQ(s("TO \"иван\""), (V{2}));
  EXPECT_EQ(s("CC bob"), (V{1}));
  EXPECT_EQ(s("CC alice"), (V{}));
  EXPECT_EQ(s("BCC hidden"), (V{3}));
  EXPECT_EQ(s("BCC joe"), (V{}));
}

TEST_F(SearchTest, SubjectAndHeader) {
  EXPECT_EQ(s("SUBJECT hello"), (V{1, 3}));
  EXPECT_EQ(s("SUBJECT \"re: hello\""), (V{3}));
  EXPECT_EQ(s("SUBJECT \"café\""), (V{2}));
  EXPECT_EQ(s("SUBJECT \"CAFÉ\""), (V{2}));
  EXPECT_EQ(s("SUBJECT \"cafe\xCC\x81\""), (V{2}));  // decomposed é
  EXPECT_EQ(s("SUBJECT \"ümlaut\""), (V{2}));
  EXPECT_EQ(s("HEADER X-Custom \"some value\""), (V{2}));
  EXPECT_EQ(s("HEADER x-custom \"\""), (V{2}));
  EXPECT_EQ(s("HEADER Message-ID \"\""), (V{1}));
  EXPECT_EQ(s("HEADER X-Custom other"), (V{}));
  EXPECT_EQ(s("HEADER Subject \"\""), (V{1, 2, 3}));
  EXPECT_EQ(s("NOT HEADER Subject \"\""), (V{4}));
}

TEST_F(SearchTest, BodyAndText) {
  EXPECT_EQ(s("BODY fancy"), (V{1}));
  EXPECT_EQ(s("BODY \"CAFÉ NAÏF\""), (V{2}));          // quoted-printable Latin-1
  EXPECT_EQ(s("BODY \"très long\""), (V{2}));          // soft line break removed
  EXPECT_EQ(s("BODY \"привет МИР\""), (V{3}));         // base64 UTF-8 Cyrillic
  EXPECT_EQ(s("BODY \"äpfel\""), (V{3}));                  // Äpfel and äpfel
  EXPECT_EQ(s("BODY \"Äpfel\""), (V{3}));
  EXPECT_EQ(s("BODY hello"), (V{}));                   // only in the header
  EXPECT_EQ(s("TEXT hello"), (V{1, 3}));
  EXPECT_EQ(s("TEXT fancy"), (V{1}));
  EXPECT_EQ(s("TEXT \"x-custom: some\""), (V{2}));
  EXPECT_EQ(s("TEXT \"андр\""), (V{}));
  EXPECT_EQ(s("BODY 0J/RgNC4"), (V{}));  // not the encoded form
}

TEST_F(SearchTest, CharsetConversion) {
  // "café" in ISO-8859-1 as a literal; matches the Latin-1 QP body (decoded).
  EXPECT_EQ(s("CHARSET ISO-8859-1 BODY {4}\r\ncaf\xE9"), (V{2}));
  EXPECT_EQ(s("CHARSET ISO-8859-1 SUBJECT {4}\r\nCAF\xC9"), (V{2}));
  EXPECT_EQ(s("CHARSET KOI8-R FROM {5}\r\n\xED\xC1\xD2\xC9\xD1"), (V{3}));  // "мария"
  EXPECT_EQ(s("CHARSET UTF-8 FROM joe"), (V{1}));
  EXPECT_EQ(s("CHARSET US-ASCII FROM joe"), (V{1}));
  imap::SearchArgs args = parse_search("CHARSET X-NOSUCH FROM joe");
  ASSERT_TRUE(args.charset);
  Result<CompiledSearch> c = compile(args.key, *args.charset);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.code(), Errc::not_found);
  // Unknown even without string keys.
  args = parse_search("CHARSET X-NOSUCH ALL");
  EXPECT_FALSE(compile(args.key, *args.charset).ok());
}

TEST_F(SearchTest, Sets) {
  EXPECT_EQ(s("1:2"), (V{1, 2}));
  EXPECT_EQ(s("2,4"), (V{2, 4}));
  EXPECT_EQ(s("*"), (V{4}));
  EXPECT_EQ(s("3:*"), (V{3, 4}));
  EXPECT_EQ(s("*:3"), (V{3, 4}));
  EXPECT_EQ(s("9:*"), (V{4}));  // 9:* is 4:9
  EXPECT_EQ(s("4:1"), (V{1, 2, 3, 4}));
  EXPECT_EQ(s("UID 102:103"), (V{2, 3}));
  EXPECT_EQ(s("UID 200"), (V{4}));
  EXPECT_EQ(s("UID *"), (V{4}));
  EXPECT_EQ(s("UID 150:*"), (V{4}));
  EXPECT_EQ(s("UID 500:*"), (V{4}));
  EXPECT_EQ(s("UID 1:100"), (V{}));
  EXPECT_EQ(s("UID 1:101,103,150:160"), (V{1, 3}));
  EXPECT_EQ(s("NOT 2:3"), (V{1, 4}));
}

TEST_F(SearchTest, SavedResult) {
  EXPECT_EQ(s("$"), (V{}));  // nothing saved
  env.saved = std::vector<uint32_t>{102, 200};
  EXPECT_EQ(s("$"), (V{2, 4}));
  EXPECT_EQ(s("UID $"), (V{2, 4}));
  EXPECT_EQ(s("NOT $"), (V{1, 3}));
  EXPECT_EQ(s("$ SEEN"), (V{}));
  EXPECT_EQ(s("OR $ SEEN"), (V{1, 2, 3, 4}));
  EXPECT_TRUE(compile(parse_search("OR $ SEEN").key, std::nullopt)->uses_saved());
  EXPECT_FALSE(compile(parse_search("SEEN").key, std::nullopt)->uses_saved());
}

TEST_F(SearchTest, ModseqOlderYounger) {
  EXPECT_EQ(s("MODSEQ 7"), (V{2, 3}));
  EXPECT_EQ(s("MODSEQ \"/flags/\\\\draft\" all 6"), (V{2, 3}));
  EXPECT_EQ(s("MODSEQ 100"), (V{}));
  EXPECT_TRUE(compile(parse_search("MODSEQ 7").key, std::nullopt)->uses_modseq());
  EXPECT_FALSE(compile(parse_search("ALL").key, std::nullopt)->uses_modseq());
  // now = 2020-06-16T00:00Z; m4 was 2020-06-14T23:00Z (25 hours before).
  EXPECT_EQ(s("YOUNGER 90000"), (V{4}));
  EXPECT_EQ(s("YOUNGER 89999"), (V{}));
  EXPECT_EQ(s("OLDER 90000"), (V{1, 2, 3}));
  EXPECT_EQ(s("OLDER 89999"), (V{1, 2, 3, 4}));
  EXPECT_EQ(s("YOUNGER 4294967295"), (V{1, 2, 3, 4}));
  EXPECT_EQ(s("OLDER 4294967295"), (V{}));
}

TEST_F(SearchTest, BooleanStructure) {
  EXPECT_EQ(s("OR SEEN FLAGGED"), (V{1, 2, 3}));
  EXPECT_EQ(s("NOT SEEN"), (V{2, 4}));
  EXPECT_EQ(s("NOT NOT SEEN"), (V{1, 3}));
  EXPECT_EQ(s("SEEN DELETED"), (V{3}));
  EXPECT_EQ(s("(SEEN DELETED)"), (V{3}));
  EXPECT_EQ(s("OR (SEEN DELETED) (FLAGGED DRAFT)"), (V{2, 3}));
  EXPECT_EQ(s("OR OR ANSWERED DELETED 4"), (V{1, 3, 4}));
  EXPECT_EQ(s("NOT (OR SUBJECT hello FROM nobody)"), (V{2}));
  EXPECT_EQ(s("SUBJECT hello NOT SUBJECT re:"), (V{1}));
  EXPECT_EQ(s("((((SEEN))))"), (V{1, 3}));
}

TEST_F(SearchTest, NeedsAndLaziness) {
  auto needs_of = [](std::string_view p) { return needs(*compile(parse_search(p).key, std::nullopt)); };
  Needs n = needs_of("SEEN UID 1:* LARGER 3 SINCE 1-Jan-2000");
  EXPECT_FALSE(n.header || n.parsed || n.body);
  n = needs_of("FROM x");
  EXPECT_TRUE(n.header);
  EXPECT_FALSE(n.parsed || n.body);
  n = needs_of("SENTON 1-Jan-2000");
  EXPECT_TRUE(n.header);
  EXPECT_FALSE(n.body);
  n = needs_of("BODY x");
  EXPECT_TRUE(n.parsed && n.body);
  n = needs_of("TEXT x");
  EXPECT_TRUE(n.header && n.parsed && n.body);

  // Short-circuit: a failed flag test never loads the body.
  s("SEEN BODY fancy");
  EXPECT_EQ(mb.messages[1]->raw_loads, 0);  // m2 is unseen
  EXPECT_EQ(mb.messages[0]->raw_loads, 1);
  s("FROM joe");
  EXPECT_EQ(mb.messages[3]->raw_loads, 0);
  EXPECT_EQ(mb.messages[3]->header_loads, 1);
}

// A MessageAccess over a prebuilt header, for the timing check.
class HeaderOnly : public MessageAccess {
 public:
  uint32_t seq() const override { return seq_; }
  const store::MessageMeta& meta() const override { return meta_; }
  bool recent() const override { return false; }
  std::string_view header() override { return header_; }
  const mail::ParsedMessage& parsed() override { return parsed_; }
  std::string_view raw() override { return header_; }
  uint32_t seq_ = 0;
  store::MessageMeta meta_;
  std::string header_;
  mail::ParsedMessage parsed_;
};

TEST(SearchTiming, FromOverHundredThousandMessages) {
  constexpr uint32_t kCount = 100000;
  std::vector<HeaderOnly> box(kCount);
  for (uint32_t i = 0; i < kCount; ++i) {
    box[i].seq_ = i + 1;
    box[i].meta_.uid = i + 1;
    box[i].header_ = "Return-Path: <list-bounces@example.org>\r\n"
                     "Received: from mx.example.org by mail.example.com; Mon, 1 Jan 2024\r\n"
                     "From: \"User " + std::to_string(i) + "\" <user" + std::to_string(i % 977) +
                     "@example.org>\r\n"
                     "To: list@example.org\r\n"
                     "Subject: Message number " + std::to_string(i) + "\r\n"
                     "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                     "Message-ID: <" + std::to_string(i) + "@example.org>\r\n\r\n";
  }
  Result<CompiledSearch> c = compile(parse_search("FROM user42@").key, std::nullopt);
  ASSERT_TRUE(c.ok());
  SearchEnv env{kCount, kCount, std::nullopt, 0};
  auto start = std::chrono::steady_clock::now();
  size_t hits = 0;
  for (HeaderOnly& m : box) hits += matches(*c, m, env) ? 1 : 0;
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  std::printf("[ timing ] SEARCH FROM over %u messages: %.1f ms, %zu hits\n", kCount, ms.count(),
              hits);
  EXPECT_GT(hits, 100u);
  EXPECT_LT(hits, 200u);
}

}  // namespace
}  // namespace courriel::search

namespace courriel::search {
namespace {

TEST(SearchHelpers, DecodedHeaderAndSentDate) {
  std::string h = "Subject: =?UTF-8?Q?caf=C3=A9?=\r\n x\r\nDate: 2 Jan 2000 00:00 +0100\r\n\r\n";
  EXPECT_EQ(decoded_header(h, "subject"), "café x");
  EXPECT_EQ(decoded_header(h, "From"), std::nullopt);
  store::MessageMeta meta;
  meta.internal_date = 77;
  EXPECT_EQ(sent_date(h, meta), days_from_civil(2000, 1, 1) * 86400 + 23 * 3600);
  EXPECT_EQ(sent_date("Date: junk\r\n\r\n", meta), 77);
  EXPECT_EQ(sent_date("", meta), 77);
}

// The caller hands over only the header fields a search reads.
TEST(SearchNeeds, ListsTheHeaderFieldsRead) {
  auto needs = [](std::string_view program) {
    imap::SearchArgs args = parse_search(program);
    auto c = compile(args.key, std::nullopt);
    EXPECT_TRUE(c.ok()) << program;
    return c.ok() ? c->needs() : Needs{};
  };
  Needs n = needs("OR FROM ann SUBJECT hi SENTBEFORE 1-Jan-2020 HEADER X-Spam yes");
  EXPECT_TRUE(n.header);
  EXPECT_FALSE(n.all_fields || n.parsed);
  EXPECT_EQ(n.fields, (std::vector<std::string>{"From", "Subject", "Date", "X-SPAM"}));  // as the parser gives it
  Needs t = needs("TEXT hello");
  EXPECT_TRUE(t.header && t.all_fields && t.parsed && t.body);
  Needs flags = needs("SEEN");
  EXPECT_FALSE(flags.header || flags.parsed || flags.body);
  Needs both = n | Needs{.header = true, .fields = {"Date"}};
  EXPECT_EQ(both.fields.size(), 5u);
  EXPECT_FALSE(both.all_fields);
  EXPECT_TRUE((n | t).all_fields);
}

}  // namespace
}  // namespace courriel::search
