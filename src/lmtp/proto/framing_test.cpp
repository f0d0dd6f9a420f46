#include "lmtp/proto/framing.h"

#include <gtest/gtest.h>

#include <vector>

using namespace courriel::lmtp;

namespace {

// Feeds `wire` `piece` bytes at a time, as a session would (keeping what the
// reader did not consume); returns the lines, "!" for each too_long.
std::vector<std::string> lines_of(std::string_view wire, size_t max_line, size_t piece) {
  LineReader reader(max_line);
  std::vector<std::string> lines;
  std::string buf;
  for (size_t pos = 0; pos < wire.size(); pos += piece) {
    buf.append(wire.substr(pos, piece));
    for (;;) {
      auto step = reader.feed(buf);
      if (step.state == LineReader::State::line) lines.emplace_back(step.line);
      if (step.state == LineReader::State::too_long) lines.emplace_back("!");
      buf.erase(0, step.consumed);
      if (step.state == LineReader::State::need_more) break;
    }
  }
  return lines;
}

struct Decoded {
  std::string body;
  bool done = false;
  size_t rest = 0;  // bytes after the end line
};

Decoded decode(std::string_view wire, size_t piece, BodyDecoder::Mode mode = BodyDecoder::Mode::dot_terminated) {
  BodyDecoder d(mode);
  Decoded out;
  for (size_t pos = 0; pos < wire.size() && !out.done; pos += piece) {
    std::string_view chunk = wire.substr(pos, piece);
    auto step = d.feed(chunk, out.body);
    if (step.done) {
      out.done = true;
      out.rest = wire.size() - pos - step.consumed;
    } else {
      EXPECT_EQ(step.consumed, chunk.size());
    }
  }
  if (mode == BodyDecoder::Mode::raw) d.finish(out.body);
  return out;
}

}  // namespace

TEST(LineReader, CutsLines) {
  for (size_t piece : {1, 2, 3, 7, 100}) {
    auto lines = lines_of("LHLO x\r\nNOOP\nQUIT\r\n", 100, piece);
    ASSERT_EQ(lines.size(), 3u) << piece;
    EXPECT_EQ(lines[0], "LHLO x");
    EXPECT_EQ(lines[1], "NOOP");
    EXPECT_EQ(lines[2], "QUIT");
  }
}

TEST(LineReader, TooLongLinesAreSkippedAndReportedOnce) {
  std::string wire = std::string(50, 'x') + "\r\nNOOP\r\n" + std::string(9, 'y') + "\r\n" +
                     std::string(11, 'z') + "\r\n";
  for (size_t piece : {1, 4, 13, 1000}) {
    auto lines = lines_of(wire, 10, piece);
    ASSERT_EQ(lines.size(), 4u) << piece;
    EXPECT_EQ(lines[0], "!");
    EXPECT_EQ(lines[1], "NOOP");
    EXPECT_EQ(lines[2], std::string(9, 'y'));
    EXPECT_EQ(lines[3], "!");
  }
  // Exactly max_line bytes is fine, with CRLF or LF.
  auto lines = lines_of(std::string(10, 'a') + "\r\n" + std::string(10, 'b') + "\n", 10, 1);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], std::string(10, 'a'));
}

TEST(BodyDecoder, DotUnstuffingAndEnd) {
  for (size_t piece : {1, 2, 3, 5, 1000}) {
    auto d = decode("Subject: x\r\n\r\n..leading dot\r\n.\r\n...\r\nend\r\n.\r\nNOOP\r\n", piece);
    EXPECT_TRUE(d.done);
    // ".\r\n" in the middle can only be the end; a line "." is sent as "..".
    EXPECT_EQ(d.body, "Subject: x\r\n\r\n.leading dot\r\n") << piece;
    EXPECT_EQ(d.rest, std::string("...\r\nend\r\n.\r\nNOOP\r\n").size());
  }
  auto d = decode("a\r\n..\r\n...\r\n.x\r\n.\r\n", 1);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "a\r\n.\r\n..\r\nx\r\n");
}

TEST(BodyDecoder, EmptyMessageAndBareLf) {
  auto d = decode(".\r\n", 1);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "");
  for (size_t piece : {1, 2, 1000}) {
    d = decode("a\nb\r\n..c\n.\n", piece);
    EXPECT_TRUE(d.done);
    EXPECT_EQ(d.body, "a\r\nb\r\n.c\r\n") << piece;
  }
}

TEST(BodyDecoder, BareCrIsKept) {
  auto d = decode("a\rb\r\r\n.\rc\r\n.\r\n", 1);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.body, "a\rb\r\r\n\rc\r\n");
}

TEST(BodyDecoder, NotDoneWithoutTheEndLine) {
  auto d = decode("a\r\n.x\r\n", 1);
  EXPECT_FALSE(d.done);
  d = decode("a\r\n. \r\n", 1);
  EXPECT_FALSE(d.done);
  EXPECT_EQ(d.body, "a\r\n \r\n");
}

TEST(BodyDecoder, RawModeNormalisesAcrossChunks) {
  for (size_t piece : {1, 2, 1000}) {
    auto d = decode("a\nb\r\n.\r\n..x\rend\r", piece, BodyDecoder::Mode::raw);
    EXPECT_FALSE(d.done);
    EXPECT_EQ(d.body, "a\r\nb\r\n.\r\n..x\rend\r") << piece;
  }
}
