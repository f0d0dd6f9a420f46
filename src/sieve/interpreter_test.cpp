#include <gtest/gtest.h>

#include "sieve/test_util.h"

namespace courriel::sieve {
namespace {

using testing::default_envelope;
using testing::default_environment;
using testing::kMessage;
using testing::run_script;
using V = std::vector<std::string>;

struct Case {
  const char* name;
  const char* script;
  V want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class SieveRun : public ::testing::TestWithParam<Case> {};

TEST_P(SieveRun, Actions) {
  const Case& c = GetParam();
  EXPECT_EQ(run_script(c.script), c.want) << c.script;
}

#define R "require [\"fileinto\", \"reject\", \"ereject\", \"envelope\", \"imap4flags\", \"body\", " \
          "\"relational\", \"subaddress\", \"copy\", \"variables\", \"date\", \"index\", \"mailbox\", " \
          "\"regex\", \"comparator-i;ascii-numeric\"];\n"

const V kKeep = {"implicit-keep"};
const V kYes = {"fileinto yes"};

INSTANTIATE_TEST_SUITE_P(
    Core, SieveRun,
    ::testing::Values(
        Case{"empty", "", kKeep},
        Case{"keep", "keep;", {"keep"}},
        Case{"discard", "discard;", {}},
        Case{"discard_then_keep", "discard; keep;", {"keep"}},
        Case{"stop", "stop; discard;", kKeep},
        Case{"fileinto", R "fileinto \"a\";", {"fileinto a"}},
        Case{"fileinto_copy", R "fileinto :copy \"a\";", {"fileinto a :copy", "implicit-keep"}},
        Case{"fileinto_create", R "fileinto :create \"a\";", {"fileinto a :create"}},
        Case{"fileinto_dedup", R "fileinto \"a\"; fileinto \"a\";", {"fileinto a"}},
        Case{"keep_inbox_dedup", R "keep; fileinto \"INBOX\";", {"keep"}},
        Case{"inbox_keep_dedup", R "fileinto \"inbox\"; keep;", {"fileinto inbox"}},
        Case{"redirect", "redirect \"x@example.net\";", {"redirect x@example.net"}},
        Case{"redirect_copy", R "redirect :copy \"x@example.net\";", {"redirect x@example.net :copy", "implicit-keep"}},
        Case{"redirect_dedup", "redirect \"x@example.net\"; redirect \"X@example.net\";", {"redirect x@example.net"}},
        Case{"redirect_limit", "redirect \"a@x.y\"; redirect \"b@x.y\"; redirect \"c@x.y\"; redirect \"d@x.y\"; redirect \"e@x.y\";",
             {"error: line 1: too many redirects"}},
        Case{"reject", R "reject \"go away\";", {"reject go away"}},
        Case{"ereject", R "ereject \"go away\";", {"ereject go away"}},
        Case{"reject_keep_conflict", R "keep;\nreject \"no\";", {"error: line 3: reject cannot be combined with keep, fileinto, redirect or vacation"}},
        Case{"reject_fileinto_conflict", R "reject \"no\";\nfileinto \"x\";", {"error: line 2: reject cannot be combined with keep, fileinto, redirect or vacation"}},
        Case{"reject_twice", R "reject \"no\";\nreject \"no\";", {"error: line 3: more than one reject"}},
        Case{"reject_discard_ok", R "discard; reject \"no\";", {"reject no"}},
        Case{"if_elsif_else_1", R "if true { fileinto \"1\"; } elsif true { fileinto \"2\"; } else { fileinto \"3\"; }", {"fileinto 1"}},
        Case{"if_elsif_else_2", R "if false { fileinto \"1\"; } elsif true { fileinto \"2\"; } else { fileinto \"3\"; }", {"fileinto 2"}},
        Case{"if_elsif_else_3", R "if false { fileinto \"1\"; } elsif false { fileinto \"2\"; } else { fileinto \"3\"; }", {"fileinto 3"}},
        Case{"two_ifs", R "if true { fileinto \"1\"; } if true { fileinto \"2\"; } else { fileinto \"3\"; }", {"fileinto 1", "fileinto 2"}},
        Case{"nested_stop", R "if true { if true { stop; } } fileinto \"no\";", kKeep},
        Case{"not", R "if not false { fileinto \"yes\"; }", kYes},
        Case{"allof", R "if allof (true, true) { fileinto \"yes\"; } if allof (true, false) { fileinto \"no\"; }", kYes},
        Case{"anyof", R "if anyof (false, true) { fileinto \"yes\"; } if anyof (false, false) { fileinto \"no\"; }", kYes},
        // The classic filters of the issue.
        Case{"classic_subject", R "if header :contains \"subject\" \"trier\" { fileinto \"demotri\"; }", {"fileinto demotri"}},
        Case{"classic_size", R "if size :over 500K { fileinto \"Lire_plus_tard\"; }", kKeep},
        Case{"classic_flag", R "addflag \"\\\\Flagged\";", {"implicit-keep \\Flagged"}}));

INSTANTIATE_TEST_SUITE_P(
    Tests, SieveRun,
    ::testing::Values(
        Case{"header_is", R "if header :is \"Subject\" \"please TRIER this\" { fileinto \"yes\"; }", kYes},
        Case{"header_is_octet", R "if header :comparator \"i;octet\" :is \"Subject\" \"please TRIER this\" { fileinto \"no\"; }", kKeep},
        Case{"header_contains_list", R "if header :contains [\"To\", \"Cc\"] [\"zzz\", \"dave@\"] { fileinto \"yes\"; }", kYes},
        Case{"header_missing", R "if header :contains \"X-None\" \"\" { fileinto \"no\"; }", kKeep},
        Case{"header_matches", R "if header :matches \"subject\" \"*trier*\" { fileinto \"yes\"; }", kYes},
        Case{"header_matches_q", R "if header :matches \"X-Spam-Score\" \"1?\" { fileinto \"yes\"; }", kYes},
        Case{"header_matches_no", R "if header :matches \"subject\" \"trier*\" { fileinto \"no\"; }", kKeep},
        Case{"header_regex", R "if header :regex \"subject\" \"^please (t|x)rier\" { fileinto \"yes\"; }", kYes},
        Case{"header_regex_no", R "if header :regex \"subject\" \"^trier\" { fileinto \"no\"; }", kKeep},
        Case{"header_numeric_value", R "if header :comparator \"i;ascii-numeric\" :value \"gt\" \"X-Spam-Score\" \"9\" { fileinto \"yes\"; }", kYes},
        Case{"header_numeric_value_no", R "if header :comparator \"i;ascii-numeric\" :value \"lt\" \"X-Spam-Score\" \"9\" { fileinto \"no\"; }", kKeep},
        Case{"header_numeric_is", R "if header :comparator \"i;ascii-numeric\" :is \"X-Spam-Score\" \"012\" { fileinto \"yes\"; }", kYes},
        Case{"header_count", R "if header :count \"eq\" :comparator \"i;ascii-numeric\" \"X-Multi\" \"3\" { fileinto \"yes\"; }", kYes},
        Case{"header_count_ne", R "if header :count \"ne\" :comparator \"i;ascii-numeric\" \"X-Multi\" \"3\" { fileinto \"no\"; }", kKeep},
        Case{"header_value_casemap", R "if header :value \"gt\" \"subject\" \"A\" { fileinto \"yes\"; }", kYes},
        Case{"header_index", R "if header :index 2 \"X-Multi\" \"two\" { fileinto \"yes\"; }", kYes},
        Case{"header_index_last", R "if header :index 1 :last \"X-Multi\" \"three\" { fileinto \"yes\"; }", kYes},
        Case{"header_index_out", R "if header :index 4 :contains \"X-Multi\" \"\" { fileinto \"no\"; }", kKeep},
        Case{"address_all", R "if address :is \"from\" \"ALICE@example.org\" { fileinto \"yes\"; }", kYes},
        Case{"address_localpart", R "if address :localpart :is \"from\" \"alice\" { fileinto \"yes\"; }", kYes},
        Case{"address_domain", R "if address :domain :is \"cc\" \"example.com\" { fileinto \"yes\"; }", kYes},
        Case{"address_name_not_matched", R "if address :contains \"from\" \"Example <\" { fileinto \"no\"; }", kKeep},
        Case{"address_user", R "if address :user :is \"to\" \"bob\" { fileinto \"yes\"; }", kYes},
        Case{"address_detail", R "if address :detail :is \"to\" \"lists\" { fileinto \"yes\"; }", kYes},
        Case{"address_detail_none", R "if address :detail :is \"cc\" \"\" { fileinto \"no\"; }", kKeep},
        Case{"address_count", R "if address :count \"eq\" :comparator \"i;ascii-numeric\" [\"to\", \"cc\"] \"3\" { fileinto \"yes\"; }", kYes},
        Case{"envelope_from", R "if envelope :is \"from\" \"alice@example.org\" { fileinto \"yes\"; }", kYes},
        Case{"envelope_to_domain", R "if envelope :domain :is \"to\" \"EXAMPLE.com\" { fileinto \"yes\"; }", kYes},
        Case{"envelope_to_detail", R "if envelope :detail :is \"to\" \"lists\" { fileinto \"yes\"; }", kYes},
        Case{"envelope_to_user", R "if envelope :user :is \"to\" \"bob\" { fileinto \"yes\"; }", kYes},
        Case{"exists", R "if exists [\"From\", \"x-spam-score\"] { fileinto \"yes\"; }", kYes},
        Case{"exists_no", R "if exists [\"From\", \"X-None\"] { fileinto \"no\"; }", kKeep},
        Case{"size_under", R "if size :under 1K { fileinto \"yes\"; }", kYes},
        Case{"size_over", R "if size :over 100 { fileinto \"yes\"; }", kYes},
        Case{"body_text", R "if body :contains \"NOON\" { fileinto \"yes\"; }", kYes},
        Case{"body_raw", R "if body :raw :contains \"Hello Bob,\r\n\" { fileinto \"yes\"; }", kYes},
        Case{"body_content", R "if body :content \"text/plain\" :contains \"meeting\" { fileinto \"yes\"; }", kYes},
        Case{"body_content_no", R "if body :content \"image\" :contains \"meeting\" { fileinto \"no\"; }", kKeep},
        Case{"body_no_header", R "if body :contains \"Subject\" { fileinto \"no\"; }", kKeep},
        Case{"date_year", R "if date :originalzone \"date\" \"year\" \"2005\" { fileinto \"yes\"; }", kYes},
        Case{"date_hour_original", R "if date :originalzone \"date\" \"hour\" \"12\" { fileinto \"yes\"; }", kYes},
        Case{"date_hour_utc", R "if date :zone \"+0000\" \"date\" \"hour\" \"17\" { fileinto \"yes\"; }", kYes},
        Case{"date_iso", R "if date :originalzone \"date\" \"iso8601\" \"2005-10-11T12:13:14-05:00\" { fileinto \"yes\"; }", kYes},
        Case{"date_std11", R "if date :zone \"+0200\" \"date\" \"std11\" \"Tue, 11 Oct 2005 19:13:14 +0200\" { fileinto \"yes\"; }", kYes},
        Case{"date_weekday", R "if date :originalzone \"date\" \"weekday\" \"2\" { fileinto \"yes\"; }", kYes},
        Case{"date_julian", R "if date :originalzone \"date\" \"julian\" \"53654\" { fileinto \"yes\"; }", kYes},
        Case{"date_zone", R "if date :originalzone \"date\" \"zone\" \"-0500\" { fileinto \"yes\"; }", kYes},
        Case{"date_received", R "if date :originalzone \"received\" \"time\" \"12:13:14\" { fileinto \"yes\"; }", kYes},
        Case{"date_value", R "if date :value \"ge\" :originalzone \"date\" \"date\" \"2005-01-01\" { fileinto \"yes\"; }", kYes},
        Case{"date_missing", R "if date :contains \"x-none\" \"year\" \"\" { fileinto \"no\"; }", kKeep},
        Case{"currentdate", R "if currentdate :zone \"+0000\" \"date\" \"2005-09-30\" { fileinto \"yes\"; }", kYes},
        Case{"currentdate_weekday", R "if currentdate :zone \"+0000\" \"weekday\" \"5\" { fileinto \"yes\"; }", kYes},
        Case{"currentdate_zone", R "if currentdate :zone \"+1000\" \"date\" \"2005-10-01\" { fileinto \"yes\"; }", kYes},
        Case{"mailboxexists", R "if mailboxexists \"Spam\" { fileinto \"yes\"; }", kYes},
        Case{"mailboxexists_no", R "if mailboxexists [\"Spam\", \"Nope\"] { fileinto \"no\"; }", kKeep}));

INSTANTIATE_TEST_SUITE_P(
    Extensions, SieveRun,
    ::testing::Values(
        Case{"setflag", R "setflag \"\\\\Seen\";", {"implicit-keep \\Seen"}},
        Case{"addflag_multi", R "addflag \"\\\\Seen \\\\Flagged\"; addflag [\"$Work\", \"\\\\seen\"];", {"implicit-keep \\Seen \\Flagged $Work"}},
        Case{"removeflag", R "addflag [\"a\", \"b\", \"c\"]; removeflag \"B\";", {"implicit-keep a c"}},
        Case{"setflag_replaces", R "addflag \"a\"; setflag \"b\";", {"implicit-keep b"}},
        Case{"keep_flags_tag", R "addflag \"a\"; keep :flags \"x y\";", {"keep x y"}},
        Case{"fileinto_internal_flags", R "addflag \"\\\\Flagged\"; fileinto \"f\";", {"fileinto f \\Flagged"}},
        Case{"hasflag", R "addflag \"\\\\Seen\"; if hasflag \"\\\\seen\" { fileinto \"yes\"; }", {"fileinto yes \\Seen"}},
        Case{"hasflag_no", R "if hasflag :contains \"Seen\" { fileinto \"no\"; }", kKeep},
        Case{"flag_variable", R "addflag \"v\" \"a\"; addflag \"v\" \"b\"; if hasflag \"v\" \"b\" { fileinto \"yes\"; } if hasflag \"b\" { fileinto \"no\"; }", kYes},
        Case{"flag_variable_expand", R "addflag \"v\" [\"a\", \"b\"]; fileinto :flags \"${v}\" \"x\";", {"fileinto x a b"}},
        Case{"hasflag_count", R "addflag \"a b c\"; if hasflag :count \"ge\" :comparator \"i;ascii-numeric\" \"3\" { fileinto \"yes\"; }", {"fileinto yes a b c"}},
        Case{"set", R "set \"box\" \"x\"; fileinto \"${box}\";", {"fileinto x"}},
        Case{"set_modifiers", R "set :upper \"a\" \"Hello\"; set :lowerfirst \"b\" \"HELLO\"; set :upperfirst :lower \"c\" \"wORLD\"; set :length \"d\" \"été\"; fileinto \"${a}-${b}-${c}-${d}\";", {"fileinto HELLO-hELLO-World-3"}},
        Case{"set_quotewildcard", R "set :quotewildcard \"q\" \"a*b\"; if string :matches \"a*b\" \"${q}\" { fileinto \"yes\"; } if string :matches \"axb\" \"${q}\" { fileinto \"no\"; }", kYes},
        Case{"variable_case", R "set \"Name\" \"v\"; fileinto \"${NAME}\";", {"fileinto v"}},
        Case{"variable_unknown", R "fileinto \"a${nothing}b\";", {"fileinto ab"}},
        Case{"variable_malformed", R "fileinto \"a${b\";", {"fileinto a${b"}},
        Case{"matches_captures", R "if header :matches \"subject\" \"*trier *\" { fileinto \"${1}|${2}|${0}\"; }", {"fileinto Please |this|Please trier this"}},
        Case{"matches_nongreedy", R "if string :matches \"a.b.c\" \"*.*\" { fileinto \"${1}|${2}\"; }", {"fileinto a|b.c"}},
        Case{"matches_question", R "if string :matches \"abc\" \"?b?\" { fileinto \"${1}${2}\"; }", {"fileinto ac"}},
        Case{"regex_captures", R "if header :regex \"from\" \"^(.*) <(.*)@\" { fileinto \"${1}/${2}\"; }", {"fileinto Alice Example/alice"}},
        Case{"address_capture", R "if address :matches :localpart \"to\" \"bob+*\" { fileinto \"lists/${1}\"; }", {"fileinto lists/lists"}},
        Case{"string_test", R "set \"x\" \"abc\"; if string :is \"${x}\" \"ABC\" { fileinto \"yes\"; }", kYes},
        Case{"string_count_empty", R "if string :count \"eq\" :comparator \"i;ascii-numeric\" [\"\", \"a\"] \"1\" { fileinto \"yes\"; }", kYes},
        Case{"match_vars_kept_on_fail", R "if string :matches \"ab\" \"a*\" { } if string :matches \"zz\" \"q*\" { } fileinto \"${1}\";", {"fileinto b"}},
        Case{"fileinto_empty_variable", R "fileinto \"${none}\";", {"error: line 2: bad mailbox name"}},
        Case{"redirect_from_variable", R "set \"a\" \"x@example.net\"; redirect \"${a}\";", {"redirect x@example.net"}},
        Case{"redirect_bad_variable", R "set \"a\" \"nope\"; redirect \"${a}\";", {"error: line 2: bad redirect address"}}));

TEST(SieveRun, EncodedCharacter) {
  EXPECT_EQ(run_script("require [\"encoded-character\", \"fileinto\"];\n"
                       "if header :contains \"subject\" \"${hex:74 72}ier\" { fileinto \"${unicode:e9}t${hex:C3 A9}\"; }"),
            V{"fileinto \xC3\xA9t\xC3\xA9"});
  EXPECT_EQ(run_script("fileinto \"${hex:41}\";"), V{"parse error: line 1: fileinto requires \"fileinto\""});
  EXPECT_EQ(run_script("require [\"encoded-character\", \"fileinto\"];\n\nfileinto \"${hex:41}\";"), V{"fileinto A"});
  EXPECT_EQ(run_script("require [\"encoded-character\"];\nredirect \"${unicode:D800}@x.y\";"),
            V{"parse error: line 2: encoded character out of range"});
  EXPECT_EQ(run_script("require \"fileinto\"; fileinto \"${hex:41}\";"), V{"fileinto ${hex:41}"});
}

TEST(SieveRun, MailboxCallbackMissing) {
  Environment cfg = default_environment();
  cfg.mailbox_exists = nullptr;
  EXPECT_EQ(run_script(R "if mailboxexists \"Spam\" { fileinto \"no\"; }", kMessage, default_envelope(), cfg), kKeep);
}

TEST(SieveRun, ActionLimit) {
  std::string s = R;
  for (int i = 0; i < 40; ++i) s += "fileinto \"f" + std::to_string(i) + "\";\n";
  auto r = run_script(s);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "error: line 34: too many actions");
}

TEST(SieveRun, NullSenderEnvelope) {
  Envelope env = default_envelope();
  env.from = "";
  EXPECT_EQ(run_script(R "if envelope :is \"from\" \"\" { fileinto \"yes\"; }", kMessage, env), kYes);
  EXPECT_EQ(run_script(R "if envelope :localpart :is \"from\" \"\" { fileinto \"no\"; }", kMessage, env), kKeep);
}

TEST(SieveRun, UsesProvidedParse) {
  auto s = parse(R "if body :contains \"noon\" { fileinto \"yes\"; }");
  ASSERT_TRUE(s.ok());
  mail::ParsedMessage pm = mail::parse_message(kMessage);
  auto r = run(*s, Message{kMessage, &pm}, default_envelope(), default_environment());
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->list.size(), 1u);
  EXPECT_EQ(std::get<FileintoAction>(r->list[0]).mailbox, "yes");
}

TEST(SieveRun, EncodedHeaderDecoded) {
  std::string m = "Subject: =?utf-8?q?caf=C3=A9?=\r\nFrom: a@b.c\r\n\r\nbody\r\n";
  EXPECT_EQ(run_script(R "if header :is \"subject\" \"café\" { fileinto \"yes\"; }", m), kYes);
}

TEST(SieveRun, MultipartBody) {
  std::string m =
      "From: a@b.c\r\nContent-Type: multipart/alternative; boundary=XX\r\n\r\n"
      "--XX\r\nContent-Type: text/plain\r\n\r\nplain words\r\n"
      "--XX\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+aHRtbCB3b3JkczwvYj4=\r\n"
      "--XX--\r\n";
  EXPECT_EQ(run_script(R "if body :content \"text/html\" :contains \"<b>html\" { fileinto \"yes\"; }", m), kYes);
  EXPECT_EQ(run_script(R "if body :content \"text/html\" :contains \"plain\" { fileinto \"no\"; }", m), kKeep);
  EXPECT_EQ(run_script(R "if body :text :contains \"plain words\" { fileinto \"yes\"; }", m), kYes);
}

}  // namespace
}  // namespace courriel::sieve
