#include "lmtp/proto/smtp.h"

#include <gtest/gtest.h>

using namespace courriel::lmtp;

namespace {

// Feeds `wire` `piece` bytes at a time as the client does; returns the replies.
std::vector<SmtpReply> replies_of(std::string_view wire, size_t piece) {
  std::vector<SmtpReply> out;
  std::string buf;
  for (size_t pos = 0; pos < wire.size(); pos += piece) {
    buf.append(wire.substr(pos, piece));
    for (;;) {
      ReplyStep step = parse_reply(buf);
      EXPECT_NE(step.state, ReplyStep::State::bad) << step.error;
      if (step.state != ReplyStep::State::reply) break;
      out.push_back(step.reply);
      buf.erase(0, step.consumed);
    }
  }
  EXPECT_EQ(buf, "");
  return out;
}

std::string stuffed(std::string_view message, size_t piece) {
  DotStuffer s;
  std::string out;
  for (size_t pos = 0; pos < message.size(); pos += piece) s.feed(message.substr(pos, piece), out);
  s.finish(out);
  return out;
}

}  // namespace

TEST(SmtpReply, SingleAndMultiline) {
  const std::string wire =
      "220 mx.example.org ESMTP Postfix\r\n"
      "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n"
      "354\r\n"          // no text at all
      "250 2.0.0 Ok: queued as 4B\n";  // bare LF
  for (size_t piece : {1, 2, 5, 1000}) {
    auto r = replies_of(wire, piece);
    ASSERT_EQ(r.size(), 4u) << piece;
    EXPECT_EQ(r[0].code, 220);
    EXPECT_EQ(r[0].text(), "mx.example.org ESMTP Postfix");
    EXPECT_EQ(r[1].code, 250);
    ASSERT_EQ(r[1].lines.size(), 4u);
    EXPECT_EQ(r[1].lines[2], "SIZE 10240000");
    EXPECT_TRUE(has_extension(r[1], "8bitmime"));
    EXPECT_TRUE(has_extension(r[1], "SIZE"));
    EXPECT_FALSE(has_extension(r[1], "mx.example.org"));  // the greeting line is no keyword
    EXPECT_FALSE(has_extension(r[1], "CHUNKING"));
    EXPECT_EQ(r[2].code, 354);
    EXPECT_EQ(r[2].lines, std::vector<std::string>{""});
    EXPECT_EQ(r[3].text(), "2.0.0 Ok: queued as 4B");
  }
}

TEST(SmtpReply, NeedsWholeReply) {
  EXPECT_EQ(parse_reply("").state, ReplyStep::State::need_more);
  EXPECT_EQ(parse_reply("250-a\r\n250-b\r\n").state, ReplyStep::State::need_more);
  EXPECT_EQ(parse_reply("250 ok").state, ReplyStep::State::need_more);
  auto s = parse_reply("250 ok\r\n221 bye\r\n");
  ASSERT_EQ(s.state, ReplyStep::State::reply);
  EXPECT_EQ(s.consumed, 8u);
}

TEST(SmtpReply, RefusesMalformed) {
  for (const char* wire : {"hello\r\n", "25\r\n", "199 x\r\n", "600 x\r\n", "2a0 x\r\n", "260 x\r\n",
                           "250_x\r\n", "250-a\r\n251 b\r\n"}) {
    auto s = parse_reply(wire);
    EXPECT_EQ(s.state, ReplyStep::State::bad) << wire;
    EXPECT_FALSE(s.error.empty());
  }
  EXPECT_EQ(parse_reply(std::string(5000, 'x')).state, ReplyStep::State::bad);
  EXPECT_EQ(parse_reply("250 " + std::string(5000, 'x') + "\r\n").state, ReplyStep::State::bad);
  std::string many;
  for (int i = 0; i < 300; ++i) many += "250-x\r\n";
  EXPECT_EQ(parse_reply(many).state, ReplyStep::State::bad);
}

TEST(DotStuffer, DoublesLeadingDotsAndEnds) {
  for (size_t piece : {1, 2, 3, 1000}) {
    EXPECT_EQ(stuffed(".a\r\nb.\r\n..\r\n.\r\nc\r\n", piece), "..a\r\nb.\r\n...\r\n..\r\nc\r\n.\r\n")
        << piece;
    EXPECT_EQ(stuffed("no line end", piece), "no line end\r\n.\r\n");
    EXPECT_EQ(stuffed("", piece), ".\r\n");
  }
}
