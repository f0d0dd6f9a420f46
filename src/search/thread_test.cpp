#include "search/thread.h"

#include <gtest/gtest.h>

#include "search/test_message.h"

namespace courriel::search {
namespace {

using testing::FakeMailbox;

// Adds a message with the given headers (no Date: when day is 0).
void add(FakeMailbox& mb, std::string_view subject, int day, std::string_view id,
         std::string_view extra = "") {
  std::string raw;
  if (!id.empty()) raw += "Message-ID: " + std::string(id) + "\r\n";
  raw += "Subject: " + std::string(subject) + "\r\n";
  if (day) raw += "Date: " + std::to_string(day) + " Jan 2024 10:00:00 +0000\r\n";
  raw += std::string(extra);
  raw += "\r\nbody\r\n";
  mb.add(raw);
}

std::string refs(FakeMailbox& mb) { return format_thread(thread_references(mb.all(), false)); }
std::string ordered(FakeMailbox& mb) {
  return format_thread(thread_ordered_subject(mb.all(), false));
}

TEST(ThreadFormat, RfcExamples) {
  using N = ThreadNode;
  // (2)(3 6 (4 23)(44 7 96))
  std::vector<N> t = {N{2, {}},
                      N{3, {N{6, {N{4, {N{23, {}}}}, N{44, {N{7, {N{96, {}}}}}}}}}}};
  EXPECT_EQ(format_thread(t), "(2)(3 6 (4 23)(44 7 96))");
  EXPECT_EQ(format_thread({N{0, {N{3, {}}, N{5, {}}}}}), "((3)(5))");
  EXPECT_EQ(format_thread({}), "");
  EXPECT_EQ(format_thread({N{1, {N{2, {}}, N{3, {N{4, {}}}}}}}), "(1 (2)(3 4))");
}

TEST(ThreadHelpers, MessageIds) {
  EXPECT_EQ(message_ids("<a@b> <c@d>"), (std::vector<std::string>{"a@b", "c@d"}));
  EXPECT_EQ(message_ids("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>"),
            (std::vector<std::string>{"01KF8JCEOCBS0045PS@xxx.yyy.com"}));
  EXPECT_EQ(message_ids("<bogus> junk <x@y> (comment <not@id)"),
            (std::vector<std::string>{"x@y"}));
  EXPECT_EQ(message_ids("<a@b>\r\n\t<c@d>"), (std::vector<std::string>{"a@b", "c@d"}));
  EXPECT_TRUE(message_ids("no ids here").empty());
  EXPECT_TRUE(message_ids("<@b> <a@> <>").empty());
}

TEST(ThreadHelpers, ReplyOrForward) {
  EXPECT_TRUE(is_reply_or_forward("Re: hi"));
  EXPECT_TRUE(is_reply_or_forward("RE : hi"));
  EXPECT_TRUE(is_reply_or_forward("Fwd: hi"));
  EXPECT_TRUE(is_reply_or_forward("fw: hi"));
  EXPECT_TRUE(is_reply_or_forward("Re[2]: hi"));
  EXPECT_TRUE(is_reply_or_forward("[list] Re: hi"));
  EXPECT_TRUE(is_reply_or_forward("hi (fwd)"));
  EXPECT_TRUE(is_reply_or_forward("[Fwd: hi]"));
  EXPECT_TRUE(is_reply_or_forward("=?UTF-8?Q?Re:_caf=C3=A9?="));
  EXPECT_FALSE(is_reply_or_forward("hi"));
  EXPECT_FALSE(is_reply_or_forward("[list] hi"));
  EXPECT_FALSE(is_reply_or_forward("Regarding: hi"));
  EXPECT_FALSE(is_reply_or_forward("[list]"));
  EXPECT_FALSE(is_reply_or_forward(""));
}

TEST(ThreadOrderedSubject, Groups) {
  FakeMailbox mb;
  add(mb, "Hello", 3, "");
  add(mb, "Re: hello", 1, "");
  add(mb, "World", 2, "");
  add(mb, "Fwd: Hello", 4, "");
  add(mb, "world (fwd)", 5, "");
  add(mb, "[list] HELLO", 2, "");
  EXPECT_EQ(ordered(mb), "(2 (6)(1)(4))(3 5)");
  EXPECT_EQ(format_thread(thread_ordered_subject(mb.all(), true)), "(20 (60)(10)(40))(30 50)");
}

TEST(ThreadOrderedSubject, TiesAndMissingHeaders) {
  FakeMailbox mb;
  add(mb, "b", 5, "");
  add(mb, "a", 5, "");
  mb.add("\r\nno header at all\r\n");  // no subject, internal date 0
  mb.messages.back()->meta_.internal_date = 0;
  add(mb, "a", 5, "");
  EXPECT_EQ(ordered(mb), "(3)(1)(2 4)");
  FakeMailbox empty;
  EXPECT_EQ(ordered(empty), "");
}

TEST(ThreadReferences, OutOfOrderReplies) {
  FakeMailbox mb;
  add(mb, "Topic", 1, "<a@x>");
  add(mb, "Re: Topic", 3, "<c@x>", "References: <a@x> <b@x>\r\n");
  add(mb, "Re: Topic", 2, "<b@x>", "In-Reply-To: <a@x>\r\n");
  add(mb, "Re: Topic", 4, "<d@x>", "References: <a@x>\r\n");
  EXPECT_EQ(refs(mb), "(1 (3 2)(4))");
}

TEST(ThreadReferences, ParentArrivesLater) {
  FakeMailbox mb;
  add(mb, "Re: Q", 2, "<r@x>", "In-Reply-To: <q@x> (the question)\r\n");
  add(mb, "Q", 1, "<q@x>");
  EXPECT_EQ(refs(mb), "(2 1)");
  EXPECT_EQ(format_thread(thread_references(mb.all(), true)), "(20 10)");
}

TEST(ThreadReferences, MissingParents) {
  FakeMailbox mb;
  add(mb, "Other", 2, "<d@x>", "References: <missing@x>\r\n");
  add(mb, "Re: Other", 3, "<e@x>", "References: <missing@x>\r\n");
  add(mb, "Lonely", 1, "<f@x>", "References: <gone@x> <gone2@x>\r\n");
  // Two children of a missing parent stay together under a dummy; a single
  // one is promoted to the root.
  EXPECT_EQ(refs(mb), "(3)((1)(2))");
}

TEST(ThreadReferences, MissingParentInTheMiddle) {
  FakeMailbox mb;
  add(mb, "T", 1, "<a@x>");
  add(mb, "Re: T", 2, "<c@x>", "References: <a@x> <b@x>\r\n");
  add(mb, "Re: T", 3, "<d@x>", "References: <a@x> <b@x>\r\n");
  // b is a dummy under a: its children are promoted to a's level.
  EXPECT_EQ(refs(mb), "(1 (2)(3))");
}

TEST(ThreadReferences, DuplicateMessageIds) {
  FakeMailbox mb;
  add(mb, "Dup", 1, "<dup@x>");
  add(mb, "Another", 2, "<dup@x>");
  add(mb, "Re: Dup", 3, "<r@x>", "In-Reply-To: <dup@x>\r\n");
  EXPECT_EQ(refs(mb), "(1 3)(2)");
}

TEST(ThreadReferences, Loops) {
  FakeMailbox mb;
  add(mb, "Loop", 1, "<l1@x>", "References: <l2@x>\r\n");
  add(mb, "Loop 2", 2, "<l2@x>", "References: <l1@x>\r\n");
  add(mb, "Self", 3, "<s@x>", "References: <s@x>\r\n");
  add(mb, "Chain", 4, "<c1@x>", "References: <c2@x> <c3@x> <c2@x>\r\n");
  EXPECT_EQ(refs(mb), "(2 1)(3)(4)");
}

TEST(ThreadReferences, SubjectGrouping) {
  FakeMailbox mb;
  add(mb, "Lunch", 1, "<l@x>");
  add(mb, "Re: Lunch", 2, "<l2@x>");  // no references: joins by subject
  add(mb, "Meeting", 3, "<m1@x>");
  add(mb, "Meeting", 4, "<m2@x>");  // neither a reply: a new dummy holds both
  add(mb, "Re: Party", 5, "<p1@x>");
  add(mb, "Party", 6, "<p2@x>");  // the non-reply takes the table; the reply goes under it
  add(mb, "", 7, "<n1@x>");
  add(mb, "", 8, "<n2@x>");  // empty subjects never group
  EXPECT_EQ(refs(mb), "(1 2)((3)(4))(6 5)(7)(8)");
}

TEST(ThreadReferences, DummyGroupsMergeBySubject) {
  FakeMailbox mb;
  add(mb, "Plan", 1, "<a@x>", "References: <gone@x>\r\n");
  add(mb, "Re: Plan", 2, "<b@x>", "References: <gone@x>\r\n");
  add(mb, "Re: Plan", 3, "<c@x>", "References: <gone2@x>\r\n");
  add(mb, "Re: Plan", 4, "<d@x>", "References: <gone2@x>\r\n");
  add(mb, "Plan", 5, "<e@x>");
  // Two dummies with the same thread subject merge; the lone "Plan" message
  // joins the dummy's children.
  EXPECT_EQ(refs(mb), "((1)(2)(3)(4)(5))");
}

TEST(ThreadReferences, SortsSiblingsByDate) {
  FakeMailbox mb;
  add(mb, "Root", 5, "<r@x>");
  add(mb, "Re: Root", 9, "<a@x>", "In-Reply-To: <r@x>\r\n");
  add(mb, "Re: Root", 7, "<b@x>", "In-Reply-To: <r@x>\r\n");
  add(mb, "Re: Root", 0, "<c@x>", "In-Reply-To: <r@x>\r\n");  // no Date: internal date 0
  add(mb, "Other", 1, "<o@x>");
  EXPECT_EQ(refs(mb), "(5)(1 (4)(3)(2))");
}

TEST(Thread, ByName) {
  FakeMailbox mb;
  add(mb, "x", 1, "<a@b>");
  EXPECT_TRUE(thread("references", mb.all(), false).ok());
  EXPECT_TRUE(thread("OrderedSubject", mb.all(), false).ok());
  EXPECT_EQ(thread("REFS", mb.all(), false).code(), Errc::not_found);
}

// The key cached at delivery says what the header says, and decodes back.
TEST(ThreadKey, EncodesAndDecodes) {
  std::string h =
      "Subject: Re: [Fwd: Lunch]\r\nDate: Mon, 2 Jan 2006 10:00:00 +0100\r\n"
      "Message-ID: <a@x>\r\nReferences: <r1@x> junk <r2@x>\r\n\r\n";
  ThreadKey k = thread_key(h);
  EXPECT_EQ(k.date, 1136192400);
  EXPECT_TRUE(k.reply);
  EXPECT_EQ(k.subject, "LUNCH");  // i;unicode-casemap titlecases
  EXPECT_EQ(k.message_id, "a@x");
  EXPECT_EQ(k.refs, (std::vector<std::string>{"r1@x", "r2@x"}));
  EXPECT_EQ(decode_thread_key(encode_thread_key(k)), k);
  EXPECT_EQ(decode_thread_key_date(encode_thread_key(k)), std::optional<std::optional<int64_t>>(1136192400));
  ThreadKey none = thread_key("X: y\r\n\r\n");
  EXPECT_EQ(none.date, std::nullopt);
  EXPECT_EQ(decode_thread_key(encode_thread_key(none)), none);
  ThreadKey irt = thread_key("In-Reply-To: <p@x> <q@x>\r\n\r\n");
  EXPECT_EQ(irt.refs, std::vector<std::string>{"p@x"});
  EXPECT_EQ(decode_thread_key("garbage"), std::nullopt);
  EXPECT_EQ(decode_thread_key("x\n0\ns\nm\n"), std::nullopt);  // bad date
  EXPECT_EQ(decode_thread_key_date("12"), std::nullopt);
}

}  // namespace
}  // namespace courriel::search
