#include <gtest/gtest.h>

#include "sieve/test_util.h"

namespace courriel::sieve {
namespace {

using testing::default_envelope;
using testing::default_environment;
using testing::kMessage;

constexpr std::string_view kScript =
    "require \"vacation\";\n"
    "vacation :days 5 :subject \"Away\" \"I am away until Monday.\";\n";

Result<Actions> run_vacation(std::string_view script, std::string_view message, const Envelope& env,
                             const Environment& cfg) {
  auto s = parse(script);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().detail);
  if (!s) return s.error();
  return run(*s, Message{message, nullptr}, env, cfg);
}

const VacationAction* find_vacation(const Actions& a) {
  for (const Action& x : a.list)
    if (auto* v = std::get_if<VacationAction>(&x)) return v;
  return nullptr;
}

TEST(SieveVacation, RepliesOnceThenRemembers) {
  std::vector<std::string> seen;
  Environment cfg = default_environment();
  cfg.vacation_seen_recently = [&](std::string_view key, int64_t days) {
    EXPECT_EQ(days, 5);
    for (const auto& k : seen)
      if (k == key) return true;
    return false;
  };
  auto r = run_vacation(kScript, kMessage, default_envelope(), cfg);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  const VacationAction* v = find_vacation(*r);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->to, "alice@example.org");
  EXPECT_EQ(v->days, 5);
  EXPECT_EQ(v->subject, "Away");
  // Vacation does not cancel the implicit keep.
  EXPECT_TRUE(std::holds_alternative<KeepAction>(r->list.back()));
  const std::string& m = v->message;
  EXPECT_NE(m.find("To: alice@example.org\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("From: bob+lists@example.com\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Subject: Away\r\n"), std::string::npos);
  EXPECT_NE(m.find("In-Reply-To: <m1@example.org>\r\n"), std::string::npos);
  EXPECT_NE(m.find("References: <m1@example.org>\r\n"), std::string::npos);
  EXPECT_NE(m.find("Auto-Submitted: auto-replied"), std::string::npos);
  EXPECT_NE(m.find("Date: Fri, 30 Sep 2005 17:13:14 +0000\r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("Message-ID: <"), std::string::npos);
  EXPECT_NE(m.find("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\n\r\nI am away until Monday.\r\n"), std::string::npos);

  // The caller records the reply; the second run says nothing.
  seen.push_back(v->key);
  auto again = run_vacation(kScript, kMessage, default_envelope(), cfg);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(find_vacation(*again), nullptr);
  // Another sender is answered.
  Envelope other = default_envelope();
  other.from = "zed@example.org";
  auto third = run_vacation(kScript, kMessage, other, cfg);
  ASSERT_TRUE(third.ok());
  EXPECT_NE(find_vacation(*third), nullptr);
}

TEST(SieveVacation, DefaultSubjectAndFrom) {
  Environment cfg = default_environment();
  cfg.vacation_from_address = "Bob <bob@example.com>";
  auto r = run_vacation("require \"vacation\"; vacation \"gone\";", kMessage, default_envelope(), cfg);
  ASSERT_TRUE(r.ok());
  const VacationAction* v = find_vacation(*r);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->subject, "Auto: Please trier this");
  EXPECT_EQ(v->days, 7);
  EXPECT_NE(v->message.find("From: Bob <bob@example.com>\r\n"), std::string::npos);
  EXPECT_NE(v->message.find("@example.com>\r\n"), std::string::npos);
}

TEST(SieveVacation, FromTagAndNonAsciiSubject) {
  auto r = run_vacation("require \"vacation\"; vacation :from \"b@example.com\" :subject \"Absent été\" \"x\";",
                        kMessage, default_envelope(), default_environment());
  ASSERT_TRUE(r.ok());
  const VacationAction* v = find_vacation(*r);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->from, "b@example.com");
  EXPECT_EQ(v->subject.rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(v->message.find("Content-Transfer-Encoding: 7bit"), std::string::npos);
}

TEST(SieveVacation, MimeReason) {
  auto r = run_vacation(
      "require \"vacation\"; vacation :mime text:\nContent-Type: text/html\n\n<p>away</p>\n.\n;",
      kMessage, default_envelope(), default_environment());
  ASSERT_TRUE(r.ok());
  const VacationAction* v = find_vacation(*r);
  ASSERT_NE(v, nullptr);
  EXPECT_NE(v->message.find("MIME-Version: 1.0\r\nContent-Type: text/html\r\n\r\n<p>away</p>\r\n"), std::string::npos)
      << v->message;
}

TEST(SieveVacation, HeaderInjectionStripped) {
  auto r = run_vacation("require \"vacation\"; vacation :subject \"a\r\nBcc: x@y.z\" \"x\";", kMessage,
                        default_envelope(), default_environment());
  ASSERT_TRUE(r.ok());
  const VacationAction* v = find_vacation(*r);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->message.find("\r\nBcc:"), std::string::npos);
}

struct NoReply {
  const char* name;
  std::string extra_header;
  std::string sender;
};

void PrintTo(const NoReply& c, std::ostream* os) { *os << c.name; }

class SieveVacationNever : public ::testing::TestWithParam<NoReply> {};

TEST_P(SieveVacationNever, NoReply) {
  const NoReply& c = GetParam();
  std::string m = c.extra_header + std::string(kMessage);
  Envelope env = default_envelope();
  env.from = c.sender;
  auto r = run_vacation(kScript, m, env, default_environment());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(find_vacation(*r), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    All, SieveVacationNever,
    ::testing::Values(NoReply{"list_id", "List-Id: <x.lists.example.org>\r\n", "alice@example.org"},
                      NoReply{"list_post", "List-Post: <mailto:x@example.org>\r\n", "alice@example.org"},
                      NoReply{"list_unsub", "List-Unsubscribe: <mailto:u@example.org>\r\n", "alice@example.org"},
                      NoReply{"precedence_bulk", "Precedence: bulk\r\n", "alice@example.org"},
                      NoReply{"precedence_list", "Precedence: List\r\n", "alice@example.org"},
                      NoReply{"precedence_junk", "Precedence: junk\r\n", "alice@example.org"},
                      NoReply{"auto_submitted", "Auto-Submitted: auto-generated\r\n", "alice@example.org"},
                      NoReply{"null_sender", "", ""},
                      NoReply{"mailer_daemon", "", "MAILER-DAEMON@example.org"},
                      NoReply{"owner", "", "owner-list@example.org"},
                      NoReply{"request", "", "list-request@example.org"},
                      NoReply{"self", "", "bob@example.com"}));

TEST(SieveVacation, AutoSubmittedNoIsAnswered) {
  std::string m = "Auto-Submitted: no\r\n" + std::string(kMessage);
  auto r = run_vacation(kScript, m, default_envelope(), default_environment());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(find_vacation(*r), nullptr);
}

TEST(SieveVacation, NotAddressedToUser) {
  std::string m = "From: alice@example.org\r\nTo: someone@else.org\r\nSubject: hi\r\n\r\nbody\r\n";
  Envelope env = default_envelope();
  env.to = "bob@example.com";
  env.original_to = "";
  Environment cfg = default_environment();
  cfg.user_addresses = {"bob@example.com"};
  auto r = run_vacation(kScript, m, env, cfg);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(find_vacation(*r), nullptr);
  // :addresses adds an alias of the user.
  auto r2 = run_vacation("require \"vacation\"; vacation :addresses \"someone@else.org\" \"x\";", m, env, cfg);
  ASSERT_TRUE(r2.ok());
  EXPECT_NE(find_vacation(*r2), nullptr);
}

TEST(SieveVacation, HandleChangesKey) {
  auto a = run_vacation("require \"vacation\"; vacation :handle \"h1\" \"x\";", kMessage, default_envelope(),
                        default_environment());
  auto b = run_vacation("require \"vacation\"; vacation :handle \"h2\" \"x\";", kMessage, default_envelope(),
                        default_environment());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(find_vacation(*a) && find_vacation(*b));
  EXPECT_NE(find_vacation(*a)->key, find_vacation(*b)->key);
}

TEST(SieveVacation, ConflictsWithReject) {
  auto r = run_vacation("require [\"vacation\", \"reject\"]; vacation \"x\"; reject \"no\";", kMessage,
                        default_envelope(), default_environment());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("reject cannot be combined"), std::string::npos);
}

TEST(SieveVacation, TwiceIsAnError) {
  auto r = run_vacation("require \"vacation\";\nvacation \"x\";\nvacation \"y\";", kMessage, default_envelope(),
                        default_environment());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "line 3: more than one vacation");
}

}  // namespace
}  // namespace courriel::sieve
