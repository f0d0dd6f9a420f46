#include "lmtp/delivery.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "lmtp/spool.h"
#include "lmtp/vacation_memory.h"
#include "managesieve/script_store.h"

using namespace courriel;
using namespace courriel::lmtp;

namespace {

const std::string kBody =
    "From: Alice <alice@example.net>\r\nTo: bob@example.org\r\nSubject: t\r\n"
    "Message-ID: <1@example.net>\r\n\r\nhello\r\n";

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "lmtp-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    users_ = std::make_unique<auth::UserDb>(dir_, "example.org");
    ASSERT_TRUE(users_->add("bob", "secret-password"));
    store::StoreSettings settings;
    settings.data_dir = dir_;
    settings.fsync = false;
    store_ = store::make_maildir_store(settings);
    options_.data_dir = dir_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SpoolFile> spool(const std::string& body = kBody) {
    auto s = SpoolFile::create(dir_ / "spool");
    EXPECT_TRUE(s);
    EXPECT_TRUE((*s)->write(body));
    return std::move(*s);
  }

  DeliveryEnvelope envelope(const std::string& to = "bob@example.org", const std::string& from = "alice@example.net") {
    auto r = resolve_recipient(*users_, to, options_);
    EXPECT_TRUE(r);
    return DeliveryEnvelope{from, *r};
  }

  void put_script(const std::string& text) {
    managesieve::ScriptStore scripts(managesieve::ScriptStore::dir_for(dir_, "bob@example.org"));
    ASSERT_TRUE(scripts.put("main", text));
    ASSERT_TRUE(scripts.set_active("main"));
  }

  std::string read_stored(const std::string& mailbox, uint32_t uid) {
    auto account = *store_->open("bob@example.org");
    auto file = account->open_message(*account->lookup(mailbox), uid);
    EXPECT_TRUE(file);
    std::string out((*file)->size(), '\0');
    EXPECT_TRUE((*file)->read(0, out));
    return out;
  }

  store::Flags flags_of(const StoredCopy& copy) {
    auto account = *store_->open("bob@example.org");
    uint32_t uid = copy.uid;
    auto meta = account->messages(*account->lookup(copy.mailbox), std::span<const uint32_t>(&uid, 1));
    EXPECT_TRUE(meta);
    EXPECT_EQ(meta->size(), 1u);
    return meta->empty() ? store::Flags{} : (*meta)[0].flags;
  }

  // A Mailer that records what it is given and answers `answer`.
  Mailer recording(std::vector<OutgoingMail>& sent, std::optional<Error> failure = std::nullopt) {
    return [&sent, failure](const OutgoingMail& m) -> Result<SendReport> {
      if (failure) return *failure;
      sent.push_back(m);
      return SendReport{};
    };
  }

  std::filesystem::path dir_;
  std::unique_ptr<auth::UserDb> users_;
  std::unique_ptr<store::Store> store_;
  DeliveryOptions options_;
};

std::vector<std::string> mailboxes(const DeliveryResult& r) {
  std::vector<std::string> out;
  for (const StoredCopy& c : r.stored) out.push_back(c.mailbox);
  return out;
}

sieve::Actions actions(std::vector<sieve::Action> list) { return sieve::Actions{std::move(list)}; }

}  // namespace

TEST_F(DeliveryTest, ResolvesRecipients) {
  DeliveryOptions options;
  auto r = resolve_recipient(*users_, "Bob+Lists@Example.org", options);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->user, "bob@example.org");
  EXPECT_EQ(r->detail, "Lists");
  EXPECT_EQ(r->address, "Bob+Lists@Example.org");
  r = resolve_recipient(*users_, "bob", options);  // the default domain
  ASSERT_TRUE(r);
  EXPECT_EQ(r->user, "bob@example.org");
  EXPECT_EQ(resolve_recipient(*users_, "alice@example.org", options).code(), Errc::not_found);
  EXPECT_FALSE(resolve_recipient(*users_, "../etc@example.org", options));
  options.recipient_delimiter = "";
  EXPECT_FALSE(resolve_recipient(*users_, "bob+x@example.org", options));  // user+x is nobody
}

TEST_F(DeliveryTest, DeliversWithTraceFieldsToDetailFolderOrInbox) {
  auto s = spool();
  Delivery delivery(*store_, options_);
  auto result = delivery.deliver(s->message(), envelope("bob+Sent@example.org"));
  ASSERT_TRUE(result) << result.error().detail;
  ASSERT_EQ(result->stored.size(), 1u);
  EXPECT_EQ(result->stored[0].mailbox, "Sent");
  EXPECT_EQ(read_stored("Sent", result->stored[0].uid),
            "Return-Path: <alice@example.net>\r\nDelivered-To: bob+Sent@example.org\r\n" + kBody);
  EXPECT_EQ(result->stored[0].size, read_stored("Sent", result->stored[0].uid).size());

  result = delivery.deliver(s->message(), envelope("bob+nosuch@example.org", ""));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->stored[0].mailbox, "INBOX");
  EXPECT_EQ(read_stored("INBOX", result->stored[0].uid).substr(0, 17), "Return-Path: <>\r\n");

  options_.detail_to_folder = false;
  Delivery no_detail(*store_, options_);
  result = no_detail.deliver(s->message(), envelope("bob+Sent@example.org", ""));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->stored[0].mailbox, "INBOX");
}

TEST_F(DeliveryTest, SpoolFileIsRemoved) {
  std::filesystem::path path;
  {
    auto spool = SpoolFile::create(dir_ / "spool");
    ASSERT_TRUE(spool);
    path = (*spool)->message().file;
    ASSERT_TRUE((*spool)->write("x"));
    EXPECT_EQ((*spool)->size(), 1u);
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(DeliveryTest, SpoolKeepsSmallMessagesInMemoryAndLargeOnesInItsFile) {
  auto spool = SpoolFile::create(dir_ / "spool");
  ASSERT_TRUE(spool);
  SpoolFile& s = **spool;
  std::string half(SpoolFile::kKeptInMemory / 2, 'a');
  ASSERT_TRUE(s.write(half));
  ASSERT_TRUE(s.message().bytes);
  EXPECT_EQ(*s.message().bytes, half);
  EXPECT_EQ(std::filesystem::file_size(s.message().file), 0u);  // nothing written yet
  // Past the limit, what was kept and what follows go to the file, in order.
  ASSERT_TRUE(s.write(half));
  ASSERT_TRUE(s.write("end"));
  EXPECT_FALSE(s.message().bytes);
  EXPECT_EQ(s.size(), 2 * half.size() + 3);
  std::ifstream in(s.message().file, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, half + half + "end");
  // The next message starts in memory again, with the file emptied.
  ASSERT_TRUE(s.clear());
  ASSERT_TRUE(s.write("small"));
  ASSERT_TRUE(s.message().bytes);
  EXPECT_EQ(*s.message().bytes, "small");
  EXPECT_EQ(std::filesystem::file_size(s.message().file), 0u);
}

// ---- the action -> plan mapping (pure) ----

TEST(PlanFromActions, KeepFileintoDiscard) {
  auto exists = [](std::string_view m) { return m == "Lists" || m == "demotri"; };
  // Implicit keep: the default mailbox (here the subaddress folder).
  auto p = plan_from_actions(actions({sieve::KeepAction{{}, true}}), "Lists", exists);
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].mailbox, "Lists");
  EXPECT_FALSE(p.targets[0].create);
  EXPECT_EQ(p.note, "");

  // discard: the interpreter returns no action at all.
  p = plan_from_actions(actions({}), "INBOX", exists);
  EXPECT_TRUE(p.targets.empty());
  EXPECT_TRUE(p.redirects.empty());
  EXPECT_FALSE(p.reject);

  // fileinto an existing mailbox, "inbox" in any case, and a missing one.
  p = plan_from_actions(actions({sieve::FileintoAction{"demotri", {}, false, false},
                                 sieve::FileintoAction{"inbox", {"\\Seen"}, true, false},
                                 sieve::FileintoAction{"Nowhere", {"$Label1"}, false, false}}),
                        "INBOX", exists);
  ASSERT_EQ(p.targets.size(), 2u);
  EXPECT_EQ(p.targets[0].mailbox, "demotri");
  EXPECT_EQ(p.targets[1].mailbox, "INBOX");  // "inbox" and the fallback, merged
  EXPECT_EQ(p.targets[1].flags.system, store::kSeen);
  EXPECT_EQ(p.targets[1].flags.keywords, std::vector<std::string>{"$Label1"});
  EXPECT_NE(p.note.find("Nowhere"), std::string::npos);

  // :create (RFC 5490 §3.2) keeps the name and asks for creation.
  p = plan_from_actions(actions({sieve::FileintoAction{"Lire_plus_tard", {}, false, true}}), "INBOX", exists);
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].mailbox, "Lire_plus_tard");
  EXPECT_TRUE(p.targets[0].create);
  p = plan_from_actions(actions({sieve::FileintoAction{"demotri", {}, false, true}}), "INBOX", exists);
  EXPECT_FALSE(p.targets[0].create);  // exists already
}

TEST(PlanFromActions, RedirectRejectVacation) {
  auto p = plan_from_actions(actions({sieve::RedirectAction{"carol@example.net", true},
                                      sieve::KeepAction{{}, true}}),
                             "INBOX", {});
  EXPECT_EQ(p.redirects, std::vector<std::string>{"carol@example.net"});
  ASSERT_EQ(p.targets.size(), 1u);  // :copy keeps the implicit keep

  p = plan_from_actions(actions({sieve::RejectAction{"go away", true}}), "INBOX", {});
  ASSERT_TRUE(p.reject);
  EXPECT_EQ(*p.reject, "go away");
  EXPECT_TRUE(p.targets.empty());

  sieve::VacationAction v;
  v.to = "alice@example.net";
  v.key = "k";
  p = plan_from_actions(actions({v, sieve::KeepAction{{}, true}}), "INBOX", {});
  ASSERT_TRUE(p.vacation);
  EXPECT_EQ(p.vacation->to, "alice@example.net");
  EXPECT_EQ(p.targets.size(), 1u);
}

TEST(PlanFromActions, FlagsFromSieve) {
  store::Flags f = flags_from_sieve({"\\flagged", "\\SEEN", "$Label1", "Junk", "$label1", "\\Recent",
                                     "\\Unknown", "bad(flag", "", "a]b", "caf\xc3\xa9"});
  EXPECT_EQ(f.system, store::kFlagged | store::kSeen);
  EXPECT_EQ(f.keywords, (std::vector<std::string>{"$Label1", "Junk"}));

  // keep with flags and fileinto the same mailbox: one copy, flags merged.
  auto p = plan_from_actions(actions({sieve::KeepAction{{"\\Flagged"}, false},
                                      sieve::FileintoAction{"INBOX", {"\\Seen", "$x"}, true, false}}),
                             "INBOX", {});
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0].flags.system, store::kFlagged | store::kSeen);
  EXPECT_EQ(p.targets[0].flags.keywords, std::vector<std::string>{"$x"});
}

// ---- Sieve through the pipeline ----

TEST_F(DeliveryTest, SieveFilesFlagsAndCachesTheScript) {
  put_script(
      "require [\"fileinto\", \"imap4flags\", \"mailbox\"];\n"
      "if header :contains \"Subject\" \"trier\" { fileinto \"demotri\"; stop; }\n"
      "if size :over 1K { fileinto :create \"Lire_plus_tard\"; stop; }\n"
      "addflag [\"\\\\Flagged\", \"$Important\"];\n");
  Delivery delivery(*store_, options_);
  auto plain = spool();
  auto result = delivery.deliver(plain->message(), envelope());
  ASSERT_TRUE(result) << result.error().detail;
  ASSERT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
  store::Flags flags = flags_of(result->stored[0]);
  EXPECT_EQ(flags.system, store::kFlagged);
  EXPECT_EQ(flags.keywords, std::vector<std::string>{"$Important"});

  // "demotri" does not exist and has no :create: INBOX (as Dovecot).
  auto trier = spool("Subject: a trier\r\n\r\nx\r\n");
  result = delivery.deliver(trier->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
  auto account = *store_->open("bob@example.org");
  ASSERT_TRUE(account->create("demotri"));
  result = delivery.deliver(trier->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"demotri"});

  auto big = spool("Subject: big\r\n\r\n" + std::string(2000, 'x') + "\r\n");
  result = delivery.deliver(big->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"Lire_plus_tard"});  // created
  EXPECT_TRUE(account->lookup("Lire_plus_tard"));

  EXPECT_EQ(delivery.scripts().parses(), 1u);  // parsed once for five deliveries
  put_script("require \"fileinto\"; fileinto \"Sent\";");
  result = delivery.deliver(plain->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"Sent"});
  EXPECT_EQ(delivery.scripts().parses(), 2u);
  ASSERT_TRUE(managesieve::ScriptStore(managesieve::ScriptStore::dir_for(dir_, "bob@example.org")).set_active(""));
  result = delivery.deliver(plain->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
}

TEST_F(DeliveryTest, SieveDiscardRejectAndFailuresKeep) {
  Delivery delivery(*store_, options_);
  auto s = spool();
  put_script("discard;");
  auto result = delivery.deliver(s->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->stored.empty());
  EXPECT_FALSE(result->rejected);

  put_script("require \"reject\";\nreject \"I do not\r\nwant \x01this.\";");
  result = delivery.deliver(s->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->stored.empty());
  ASSERT_TRUE(result->rejected);
  EXPECT_EQ(*result->rejected, "I do not  want ?this.");  // one printable line

  // Run-time error (RFC 5228 §2.10.6: reject with keep): the implicit keep.
  put_script("require \"reject\";\nkeep;\nreject \"no\";");
  result = delivery.deliver(s->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});

  // A script that does not parse (written behind the store's back): keep.
  auto dir = managesieve::ScriptStore::dir_for(dir_, "bob@example.org");
  std::ofstream(dir / "main.sieve", std::ios::trunc) << "if true {";
  result = delivery.deliver(s->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
}

TEST_F(DeliveryTest, RedirectThroughTheMailerOrKeep) {
  put_script("redirect \"carol@example.com\";");
  auto s = spool();
  std::vector<OutgoingMail> sent;
  Delivery delivery(*store_, options_, recording(sent));
  auto result = delivery.deliver(s->message(), envelope());
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_TRUE(result->stored.empty());
  EXPECT_EQ(result->redirected, std::vector<std::string>{"carol@example.com"});
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].sender, "alice@example.net");  // the original envelope sender
  EXPECT_EQ(sent[0].recipients, std::vector<std::string>{"carol@example.com"});
  // A small message was kept in memory: it follows the added field.
  EXPECT_EQ(sent[0].head, "Delivered-To: bob@example.org\r\n" + kBody);
  EXPECT_TRUE(sent[0].body_file.empty());

  // A large one is sent from its spool file.
  std::string large = kBody + std::string(SpoolFile::kKeptInMemory, 'x') + "\r\n";
  auto big = spool(large);
  ASSERT_FALSE(big->message().bytes);
  sent.clear();
  ASSERT_TRUE(delivery.deliver(big->message(), envelope()));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].head, "Delivered-To: bob@example.org\r\n");
  EXPECT_EQ(sent[0].body_file, big->message().file);

  // A message that already went through this recipient would loop: kept.
  auto looped = spool("Delivered-To: bob@example.org\r\n" + kBody);
  result = delivery.deliver(looped->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
  EXPECT_EQ(sent.size(), 1u);

  // The relay is down: kept.
  Delivery down(*store_, options_, recording(sent, make_error(Errc::temporary, "connection refused")));
  result = down.deliver(s->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
  EXPECT_TRUE(result->redirected.empty());

  // No relay configured: kept.
  Delivery none(*store_, options_);
  result = none.deliver(s->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
}

TEST_F(DeliveryTest, VacationOncePerDays) {
  put_script("require \"vacation\";\nvacation :days 3 :subject \"Away\" \"I am away.\";");
  auto s = spool();
  std::vector<OutgoingMail> sent;
  Delivery failing(*store_, options_, recording(sent, make_error(Errc::temporary, "down")));
  auto result = failing.deliver(s->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
  EXPECT_EQ(result->vacation_to, "");  // not sent, and not remembered

  Delivery delivery(*store_, options_, recording(sent));
  result = delivery.deliver(s->message(), envelope());
  ASSERT_TRUE(result);
  EXPECT_EQ(result->vacation_to, "alice@example.net");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].sender, "");  // RFC 5230 §5.1: the null path
  EXPECT_EQ(sent[0].recipients, std::vector<std::string>{"alice@example.net"});
  EXPECT_NE(sent[0].head.find("Auto-Submitted: auto-replied"), std::string::npos);
  EXPECT_NE(sent[0].head.find("Subject: Away\r\n"), std::string::npos);

  result = delivery.deliver(s->message(), envelope());  // within :days
  ASSERT_TRUE(result);
  EXPECT_EQ(result->vacation_to, "");
  EXPECT_EQ(sent.size(), 1u);
  result = delivery.deliver(s->message(), envelope("bob@example.org", "dave@example.net"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->vacation_to, "dave@example.net");  // another sender: answered
  EXPECT_EQ(sent.size(), 2u);
  result = delivery.deliver(s->message(), envelope("bob@example.org", ""));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->vacation_to, "");  // never to the null sender (RFC 5230 §4.6)
  auto list = spool("List-Id: <l.example.net>\r\n" + kBody);
  result = delivery.deliver(list->message(), envelope("bob@example.org", "erin@example.net"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->vacation_to, "");  // nor to a list
  EXPECT_EQ(sent.size(), 2u);
  EXPECT_EQ(mailboxes(*result), std::vector<std::string>{"INBOX"});
}

TEST(VacationMemory, ParseAndFormat) {
  auto e = parse_vacation_memory("100 a@b.c 0123\nbad line\n\n-5 x\n200 d@e.f ff\n300\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], (VacationEntry{100, "a@b.c 0123"}));
  EXPECT_EQ(e[1], (VacationEntry{200, "d@e.f ff"}));
  EXPECT_EQ(format_vacation_memory(e), "100 a@b.c 0123\n200 d@e.f ff\n");
  EXPECT_EQ(format_vacation_memory({{1, "x\ny"}, {2, ""}}), "");
}

TEST(VacationMemory, ClaimSeenForget) {
  std::string templ = (std::filesystem::temp_directory_path() / "vacation-test-XXXXXX").string();
  ASSERT_NE(mkdtemp(templ.data()), nullptr);
  VacationMemory m(std::filesystem::path(templ) / "sieve" / ".vacation");
  EXPECT_FALSE(m.seen("k", 1000));
  EXPECT_EQ(m.claim("k", 1, 1000).value(), true);
  EXPECT_EQ(m.claim("k", 1, 2000).value(), false);  // already answered
  EXPECT_TRUE(m.seen("k", 1000 + 86399));
  EXPECT_FALSE(m.seen("k", 1000 + 86400));            // the period is over
  EXPECT_EQ(m.claim("k", 1, 1000 + 86400).value(), true);
  EXPECT_TRUE(m.forget("k"));
  EXPECT_FALSE(m.seen("k", 1000 + 86400));
  std::filesystem::remove_all(templ);
}

// The LMTP benchmark's case: a 4 KB message and a 20-rule script. Sieve
// must stay well under a millisecond of CPU per delivery.
TEST_F(DeliveryTest, PlanningCostWithTwentyRules) {
  std::string script = "require [\"fileinto\", \"imap4flags\", \"envelope\", \"body\"];\n";
  for (int i = 0; i < 19; ++i)
    script += "if header :contains \"Subject\" \"rule" + std::to_string(i) + "\" { fileinto \"Folder" +
              std::to_string(i) + "\"; stop; }\n";
  script += "if address :is \"From\" \"nobody@example.com\" { addflag \"\\\\Seen\"; }\n";
  put_script(script);
  std::string message = kBody;
  while (message.size() < 4096) message += "a line of the body, long enough to look like text.\r\n";
  auto s = spool(message);
  Delivery delivery(*store_, options_);
  auto account = *store_->open("bob@example.org");
  auto env = envelope();
  ASSERT_TRUE(delivery.plan_delivery(*account, s->message(), env));
  constexpr int kRuns = 2000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) {
    auto plan = delivery.plan_delivery(*account, s->message(), env);
    ASSERT_TRUE(plan);
    ASSERT_EQ(plan->targets.size(), 1u);
  }
  double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / kRuns;
  std::printf("plan_delivery with a 20-rule script, 4 KB message: %.1f us\n", us);
  EXPECT_LT(us, 1000.0);
  EXPECT_EQ(delivery.scripts().parses(), 1u);
}
