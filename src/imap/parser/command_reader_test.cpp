#include "imap/parser/command_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace courriel::imap {
namespace {

using State = CommandReader::State;

// What happened to one command, for comparisons.
struct Event {
  State state;
  std::string bytes;  // the command (complete) or tag (errors)
  bool operator==(const Event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
  return os << static_cast<int>(e.state) << ":" << e.bytes;
}

// Drives a reader over `input` cut into pieces of the given sizes (0: one
// piece), accepting literals up to the limits and rejecting the others, the
// way the session does.
std::vector<Event> drive(std::string_view input, const std::vector<size_t>& cuts,
                         ReaderLimits limits = {}) {
  CommandReader r(limits);
  std::vector<Event> events;
  size_t pos = 0, cut = 0;
  while (pos < input.size()) {
    size_t n = input.size() - pos;
    if (!cuts.empty()) n = std::min(n, cuts[cut++ % cuts.size()]);
    std::string_view piece = input.substr(pos, n);
    pos += n;
    while (!piece.empty()) {
      auto step = r.feed(piece);
      piece.remove_prefix(step.consumed);
      switch (step.state) {
        case State::need_more:
          EXPECT_TRUE(piece.empty());
          break;
        case State::literal_announced:
          if (r.literal_within_limits()) {
            r.accept_literal();
          } else if (r.literal().synchronizing) {
            events.push_back({State::literal_too_big, std::string(r.tag())});
            r.reject_literal();
          } else {
            r.reject_literal();
          }
          break;
        case State::complete:
          events.push_back({State::complete, r.take_command()});
          r.reset();
          break;
        default:
          events.push_back({step.state, std::string(r.tag())});
          r.reset();
          break;
      }
    }
  }
  return events;
}

std::vector<Event> drive_whole(std::string_view input, ReaderLimits limits = {}) {
  return drive(input, {}, limits);
}

struct ReaderCase {
  std::string name;
  std::string input;
  std::vector<Event> expected;
  ReaderLimits limits = {};
};

std::vector<ReaderCase> reader_cases() {
  ReaderLimits small{20, 8, 60};
  return {
      {"simple", "A1 NOOP\r\n", {{State::complete, "A1 NOOP"}}},
      {"bare_lf", "A1 NOOP\n", {{State::complete, "A1 NOOP"}}},
      {"pipelined",
       "A1 NOOP\r\nA2 CAPABILITY\nA3 LOGOUT\r\n",
       {{State::complete, "A1 NOOP"},
        {State::complete, "A2 CAPABILITY"},
        {State::complete, "A3 LOGOUT"}}},
      {"empty_line", "\r\n", {{State::complete, ""}}},
      {"cr_inside_kept", "A1 NO\rOP\r\n", {{State::complete, "A1 NO\rOP"}}},
      {"sync_literal", "A1 LOGIN {3}\r\nbob pw\r\n", {{State::complete, "A1 LOGIN {3}\r\nbob pw"}}},
      {"sync_literal_bare_lf",
       "A1 LOGIN {3}\nbob pw\n",
       {{State::complete, "A1 LOGIN {3}\r\nbob pw"}}},
      {"nonsync_literal",
       "A1 LOGIN {3+}\r\nbob {2+}\r\npw\r\n",
       {{State::complete, "A1 LOGIN {3+}\r\nbob {2+}\r\npw"}}},
      {"binary_literal",
       std::string("A1 APPEND x ~{3}\r\na\0b\r\n", 23),
       {{State::complete, std::string("A1 APPEND x ~{3}\r\na\0b", 21)}}},
      {"literal_with_crlf_inside",
       "A1 APPEND x {4}\r\n\r\n\r\n\r\n",
       {{State::complete, "A1 APPEND x {4}\r\n\r\n\r\n"}}},
      {"zero_literal",
       "A1 LOGIN {0}\r\n {0+}\r\n\r\n",
       {{State::complete, "A1 LOGIN {0}\r\n {0+}\r\n"}}},
      {"huge_literal_size_not_a_literal",
       "A1 LOGIN {99999999999999999999}\r\nA2 NOOP\r\n",
       {{State::complete, "A1 LOGIN {99999999999999999999}"}, {State::complete, "A2 NOOP"}}},
      {"brace_not_literal", "A1 X {3 }\r\n", {{State::complete, "A1 X {3 }"}}},
      {"empty_braces", "A1 X {}\r\n", {{State::complete, "A1 X {}"}}},
      {"line_too_long",
       "A1 0123456789abcdefghij\r\nA2 NOOP\r\n",
       {{State::line_too_long, "A1"}, {State::complete, "A2 NOOP"}},
       small},
      {"line_exactly_max",
       "A1 0123456789abc\r\n",
       {{State::complete, "A1 0123456789abc"}},
       ReaderLimits{17, 8, 40}},
      {"line_too_long_no_tag",
       "0123456789abcdefghijkl\r\nA2 NOOP\r\n",
       {{State::line_too_long, ""}, {State::complete, "A2 NOOP"}},
       small},
      {"line_too_long_then_nonsync_literal_skipped",
       "A1 0123456789abcdefghij {6+}\r\nA9 X\r\n rest\r\nA2 NOOP\r\n",
       {{State::line_too_long, "A1"}, {State::complete, "A2 NOOP"}},
       small},
      {"line_too_long_then_sync_literal_ends",
       "A1 0123456789abcdefghij {5}\r\nA2 NOOP\r\n",
       {{State::line_too_long, "A1"}, {State::complete, "A2 NOOP"}},
       small},
      {"big_sync_literal_rejected",
       "A1 APPEND x {9}\r\nA2 NOOP\r\n",
       {{State::literal_too_big, "A1"}, {State::complete, "A2 NOOP"}},
       small},
      {"big_nonsync_literal_discarded",
       "A1 APPEND x {9+}\r\n123456789 {2+}\r\nab\r\nA2 NOOP\r\n",
       {{State::literal_too_big, "A1"}, {State::complete, "A2 NOOP"}},
       small},
      {"sync_literal_over_command_limit",
       "A1 X {8}\r\n12345678 {8}\r\nA2 NOOP\r\n",
       {{State::literal_too_big, "A1"}, {State::complete, "A2 NOOP"}},
       ReaderLimits{16, 8, 30}},
      {"command_too_long_on_line",
       "A1 X {8+}\r\n12345678 aaaaaaaaaaaa\r\nA2 NOOP\r\n",
       {{State::command_too_long, "A1"}, {State::complete, "A2 NOOP"}},
       ReaderLimits{16, 8, 30}},
  };
}

class ReaderTable : public testing::TestWithParam<ReaderCase> {};

TEST_P(ReaderTable, Whole) {
  const auto& c = GetParam();
  EXPECT_EQ(drive_whole(c.input, c.limits), c.expected);
}

TEST_P(ReaderTable, OneByteAtATime) {
  const auto& c = GetParam();
  EXPECT_EQ(drive(c.input, {1}, c.limits), c.expected);
}

TEST_P(ReaderTable, RandomSplits) {
  const auto& c = GetParam();
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<size_t> cuts;
    for (int i = 0; i < 16; ++i) cuts.push_back(1 + rng() % 7);
    EXPECT_EQ(drive(c.input, cuts, c.limits), c.expected) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Reader, ReaderTable, testing::ValuesIn(reader_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(CommandReader, LiteralInfoReported) {
  struct Case {
    std::string line;
    LiteralInfo info;
  } cases[] = {
      {"A {5}\r\n", {5, true, false}},
      {"A {5+}\r\n", {5, false, false}},
      {"A ~{5}\r\n", {5, true, true}},
      {"A ~{5+}\r\n", {5, false, true}},
      {"A {18446744073709551615}\r\n", {UINT64_MAX, true, false}},
  };
  for (const auto& c : cases) {
    CommandReader r;
    auto step = r.feed(c.line);
    ASSERT_EQ(step.state, State::literal_announced) << c.line;
    EXPECT_EQ(step.consumed, c.line.size());
    EXPECT_EQ(r.literal().size, c.info.size);
    EXPECT_EQ(r.literal().synchronizing, c.info.synchronizing);
    EXPECT_EQ(r.literal().binary, c.info.binary);
    EXPECT_EQ(r.tag(), "A");
  }
}

TEST(CommandReader, BigLiteralStillAnnounced) {
  CommandReader r(ReaderLimits{100, 10, 1000});
  auto step = r.feed("A APPEND x {11}\r\n");
  EXPECT_EQ(step.state, State::literal_announced);
  EXPECT_FALSE(r.literal_within_limits());
  r.accept_literal();  // the caller may take it anyway
  step = r.feed("hello world\r\n");
  EXPECT_EQ(step.state, State::complete);
  EXPECT_EQ(r.take_command(), "A APPEND x {11}\r\nhello world");
}

TEST(CommandReader, LiteralWithinCommandLimit) {
  CommandReader r(ReaderLimits{100, 100, 20});
  EXPECT_EQ(r.feed("A APPEND x {10}\r\n").state, State::literal_announced);
  EXPECT_FALSE(r.literal_within_limits());  // 17 + 10 > 20
}

TEST(CommandReader, StatesRepeatUntilHandled) {
  CommandReader r;
  auto step = r.feed("A {1}\r\nB NOOP\r\n");
  EXPECT_EQ(step.state, State::literal_announced);
  EXPECT_EQ(step.consumed, 7u);
  EXPECT_EQ(r.feed("x").state, State::literal_announced);
  EXPECT_EQ(r.feed("x").consumed, 0u);
  r.accept_literal();
  step = r.feed("x\r\nB NOOP\r\n");
  EXPECT_EQ(step.state, State::complete);
  EXPECT_EQ(step.consumed, 3u);
  EXPECT_EQ(r.feed("B").state, State::complete);
  EXPECT_EQ(r.take_command(), "A {1}\r\nx");
  r.reset();
  EXPECT_EQ(r.feed("B NOOP\r\n").state, State::complete);
}

TEST(CommandReader, SyncRejectKeepsTagUntilNextFeed) {
  CommandReader r(ReaderLimits{100, 2, 1000});
  EXPECT_EQ(r.feed("T1 APPEND x {3}\r\n").state, State::literal_announced);
  r.reject_literal();
  EXPECT_EQ(r.tag(), "T1");
  auto step = r.feed("T2 NOOP\r\n");
  EXPECT_EQ(step.state, State::complete);
  EXPECT_EQ(r.tag(), "T2");
  EXPECT_EQ(r.take_command(), "T2 NOOP");
}

TEST(CommandReader, NonSyncRejectReportsAfterDiscard) {
  CommandReader r(ReaderLimits{100, 2, 1000});
  EXPECT_EQ(r.feed("T1 APPEND x {5+}\r\n").state, State::literal_announced);
  r.reject_literal();
  EXPECT_EQ(r.feed("abc").state, State::need_more);
  EXPECT_EQ(r.feed("de").state, State::need_more);
  auto step = r.feed("\r\nT2 NOOP\r\n");
  EXPECT_EQ(step.state, State::literal_too_big);
  EXPECT_EQ(step.consumed, 2u);
  EXPECT_EQ(r.tag(), "T1");
  r.reset();
  EXPECT_EQ(r.feed("T2 NOOP\r\n").state, State::complete);
}

TEST(CommandReader, LineTooLongReportedOnceAtLineEnd) {
  CommandReader r(ReaderLimits{8, 8, 100});
  EXPECT_EQ(r.feed("T1 abcdefghijkl").state, State::need_more);
  EXPECT_EQ(r.feed(std::string(100000, 'x')).state, State::need_more);
  auto step = r.feed("\nT2");
  EXPECT_EQ(step.state, State::line_too_long);
  EXPECT_EQ(step.consumed, 1u);
  EXPECT_EQ(r.tag(), "T1");
}

TEST(CommandReader, TagValidation) {
  struct Case {
    std::string input;
    std::string tag;
  } cases[] = {
      {"A1 NOOP\r\n", "A1"}, {"A1\r\n", "A1"},          {"a.b] X\r\n", "a.b]"},
      {"A+1 NOOP\r\n", ""},  {"* NOOP\r\n", ""},        {"(a NOOP\r\n", ""},
      {"{3 NOOP\r\n", ""},   {"\"a\" NOOP\r\n", ""},    {" NOOP\r\n", ""},
      {"a%b NOOP\r\n", ""},  {"\xc3\xa9 NOOP\r\n", ""},
  };
  for (const auto& c : cases) {
    CommandReader r;
    EXPECT_EQ(r.feed(c.input).state, State::complete);
    EXPECT_EQ(r.tag(), c.tag) << c.input;
  }
  CommandReader r;
  r.feed("A1");
  EXPECT_EQ(r.tag(), "");  // not known until a SP or the line end
  r.feed(" ");
  EXPECT_EQ(r.tag(), "A1");
}

TEST(CommandReader, ManySmallLiteralsHitCommandLimit) {
  std::string input = "A X";
  for (int i = 0; i < 1000; ++i) input += " {1+}\r\nx";
  input += "\r\nB NOOP\r\n";
  auto events = drive(input, {3}, ReaderLimits{100, 10, 500});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], (Event{State::command_too_long, "A"}));
  EXPECT_EQ(events[1], (Event{State::complete, "B NOOP"}));
}

TEST(CommandReader, ResetGivesMemoryBack) {
  CommandReader r;
  std::string big = "A X " + std::string(60000, 'a') + "\r\n";
  EXPECT_EQ(r.feed(big).state, State::complete);
  r.reset();
  EXPECT_EQ(r.feed("B NOOP\r\n").state, State::complete);
  EXPECT_EQ(r.take_command(), "B NOOP");
}

TEST(LiteralHeader, AtEnd) {
  size_t len = 0;
  EXPECT_TRUE(literal_header_at_end("x {12}", &len));
  EXPECT_EQ(len, 4u);
  EXPECT_TRUE(literal_header_at_end("x ~{12+}", &len));
  EXPECT_EQ(len, 6u);
  EXPECT_TRUE(literal_header_at_end("{0}"));
  EXPECT_FALSE(literal_header_at_end("x {}"));
  EXPECT_FALSE(literal_header_at_end("x {+}"));
  EXPECT_FALSE(literal_header_at_end("x {1a}"));
  EXPECT_FALSE(literal_header_at_end("x 12}"));
  EXPECT_FALSE(literal_header_at_end("x {12} "));
  EXPECT_FALSE(literal_header_at_end("x {18446744073709551616}"));
  EXPECT_FALSE(literal_header_at_end(""));
  EXPECT_FALSE(literal_header_at_end("}"));
}

}  // namespace
}  // namespace courriel::imap
