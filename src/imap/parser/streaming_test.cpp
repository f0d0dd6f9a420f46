// Streamed literals: CommandReader::stream_literal(), partial_command(),
// announces_append_message(), is_append_prefix() and parse_command() on
// frames with streamed literals.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "imap/parser/command_parser.h"
#include "imap/parser/command_reader.h"

namespace courriel::imap {
namespace {

using State = CommandReader::State;

// A string literal with embedded NULs.
template <size_t N>
std::string bin(const char (&s)[N]) {
  return std::string(s, N - 1);
}

// One framed command as the session sees it.
struct Framed {
  State state = State::complete;
  std::string frame;                 // take_command() (complete) or tag() (errors)
  std::vector<size_t> offsets;       // streamed_literals()
  std::vector<std::string> bodies;   // concatenated chunks, per streamed literal
  bool operator==(const Framed&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Framed& f) {
  os << static_cast<int>(f.state) << ":[" << f.frame << "] offsets:";
  for (size_t o : f.offsets) os << o << ",";
  os << " bodies:";
  for (const auto& b : f.bodies) os << "[" << b << "]";
  return os;
}

// Whether to stream the announced literal.
using Decide = std::function<bool(const CommandReader&)>;

// The session's policy: stream APPEND message literals only.
bool stream_messages(const CommandReader& r) {
  return announces_append_message(r.partial_command(), r.streamed_literals());
}

// Drives a reader over `input` cut in pieces of sizes `cuts` (cyclic; empty:
// one piece).
std::vector<Framed> drive(std::string_view input, const std::vector<size_t>& cuts,
                          const Decide& decide = stream_messages, ReaderLimits limits = {}) {
  CommandReader r(limits);
  std::vector<Framed> out;
  Framed cur;
  size_t pos = 0, cut = 0;
  while (pos < input.size()) {
    size_t n = input.size() - pos;
    if (!cuts.empty()) n = std::min(n, cuts[cut++ % cuts.size()]);
    std::string_view piece = input.substr(pos, n);
    pos += n;
    while (!piece.empty()) {
      auto step = r.feed(piece);
      EXPECT_LE(step.consumed, piece.size());
      if (step.state == State::literal_chunk) {
        EXPECT_EQ(step.chunk.data(), piece.data());
        EXPECT_EQ(step.chunk.size(), step.consumed);
        EXPECT_FALSE(step.chunk.empty());
        EXPECT_FALSE(cur.bodies.empty());
        if (!cur.bodies.empty()) cur.bodies.back().append(step.chunk);
      } else {
        EXPECT_TRUE(step.chunk.empty());
      }
      piece.remove_prefix(step.consumed);
      switch (step.state) {
        case State::need_more:
          EXPECT_TRUE(piece.empty());
          break;
        case State::literal_chunk:
          break;
        case State::literal_announced:
          if (decide(r)) {
            r.stream_literal();
            cur.bodies.emplace_back();
          } else {
            r.accept_literal();
          }
          break;
        case State::complete:
          cur.state = State::complete;
          cur.frame = r.take_command();
          cur.offsets = r.streamed_literals();
          out.push_back(std::move(cur));
          cur = {};
          r.reset();
          break;
        default:
          cur.state = step.state;
          cur.frame = std::string(r.tag());
          cur.bodies.clear();
          out.push_back(std::move(cur));
          cur = {};
          r.reset();
          break;
      }
    }
  }
  return out;
}

// Runs `input` whole, one byte at a time, and in 50 random splits; all must
// give `expected`.
void expect_framing(std::string_view input, const std::vector<Framed>& expected,
                    const Decide& decide = stream_messages, ReaderLimits limits = {}) {
  EXPECT_EQ(drive(input, {}, decide, limits), expected) << "whole";
  EXPECT_EQ(drive(input, {1}, decide, limits), expected) << "one byte at a time";
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    std::vector<size_t> cuts;
    for (int k = 0; k < 16; ++k) cuts.push_back(1 + rng() % 9);
    EXPECT_EQ(drive(input, cuts, decide, limits), expected) << "round " << round;
  }
}

size_t offset_of(std::string_view frame, std::string_view header, size_t from = 0) {
  return frame.find(header, from);
}

// ---- CommandReader ----------------------------------------------------------

TEST(StreamReader, SingleLiteralThenRestOfLine) {
  std::string body = "From: a\r\n\r\n{5}\r\nA9 NOOP\r\nhello";  // framing-like bytes inside
  std::string input = "A1 APPEND INBOX (\\Seen) {" + std::to_string(body.size()) + "}\r\n" + body +
                      "\r\nA2 NOOP\r\n";
  std::string frame = "A1 APPEND INBOX (\\Seen) {" + std::to_string(body.size()) + "}";
  expect_framing(input, {{State::complete, frame, {24}, {body}}, {State::complete, "A2 NOOP"}});
}

TEST(StreamReader, BareLfAfterLiteralAndHeader) {
  expect_framing("A1 APPEND INBOX {3}\nabc\nA2 NOOP\n",
                 {{State::complete, "A1 APPEND INBOX {3}", {16}, {"abc"}},
                  {State::complete, "A2 NOOP"}});
}

TEST(StreamReader, SeveralStreamedNonSyncAndBinary) {
  std::string input =
      bin("A1 APPEND INBOX {4+}\r\nabcd (\\Seen) ~{3}\r\nx\0y UTF8 (~{2+}\r\nzz)\r\nA2 NOOP\r\n");
  std::string frame = "A1 APPEND INBOX {4+} (\\Seen) ~{3} UTF8 (~{2+})";
  Framed f{State::complete,
           frame,
           {16, offset_of(frame, "~{3}"), offset_of(frame, "~{2+}")},
           {"abcd", std::string("x\0y", 3), "zz"}};
  expect_framing(input, {f, {State::complete, "A2 NOOP"}});
}

TEST(StreamReader, MixedKeptAndStreamed) {
  // The mailbox name literal is kept; the first message is small (kept by
  // this policy), the second streamed, then a kept one again.
  Decide big_only = [](const CommandReader& r) {
    return stream_messages(r) && r.literal().size >= 5;
  };
  std::string input =
      "A1 APPEND {5}\r\nINBOX {2}\r\nhi (\\Seen) {6}\r\nbigger {1}\r\nz\r\nA2 NOOP\r\n";
  std::string frame = "A1 APPEND {5}\r\nINBOX {2}\r\nhi (\\Seen) {6} {1}\r\nz";
  expect_framing(input,
                 {{State::complete, frame, {offset_of(frame, "{6}")}, {"bigger"}},
                  {State::complete, "A2 NOOP"}},
                 big_only);
}

TEST(StreamReader, ZeroSizeStreamedLiteralGivesNoChunk) {
  expect_framing("A1 APPEND INBOX {0}\r\n\r\n",
                 {{State::complete, "A1 APPEND INBOX {0}", {16}, {""}}});
}

TEST(StreamReader, StreamedBytesDoNotCountTowardMaxCommand) {
  std::string body(10000, 'x');
  ReaderLimits small{64, 16, 64};
  expect_framing("A1 APPEND INBOX {10000}\r\n" + body + "\r\n",
                 {{State::complete, "A1 APPEND INBOX {10000}", {16}, {body}}}, stream_messages,
                 small);
}

TEST(StreamReader, PartialCommandAndChunkViews) {
  CommandReader r;
  std::string in = "A1 APPEND {5}\r\nINBOX (\\Seen) {4}\r\n";
  auto step = r.feed(in);
  EXPECT_EQ(step.state, State::literal_announced);
  EXPECT_EQ(r.partial_command(), "A1 APPEND {5}");
  EXPECT_FALSE(announces_append_message(r.partial_command(), r.streamed_literals()));
  EXPECT_TRUE(is_append_prefix(r.partial_command()));
  r.accept_literal();
  in.erase(0, step.consumed);
  step = r.feed(in);
  EXPECT_EQ(step.state, State::literal_announced);
  EXPECT_EQ(step.consumed, in.size());
  EXPECT_EQ(r.partial_command(), "A1 APPEND {5}\r\nINBOX (\\Seen) {4}");
  EXPECT_TRUE(announces_append_message(r.partial_command(), r.streamed_literals()));
  r.stream_literal();
  EXPECT_EQ(r.partial_command(), "A1 APPEND {5}\r\nINBOX (\\Seen) {4}");
  EXPECT_EQ(r.streamed_literals(), std::vector<size_t>{29});
  EXPECT_EQ(r.tag(), "A1");

  std::string data = "ab";
  step = r.feed(data);
  EXPECT_EQ(step.state, State::literal_chunk);
  EXPECT_EQ(step.consumed, 2u);
  EXPECT_EQ(step.chunk.data(), data.data());
  EXPECT_EQ(r.feed("").state, State::need_more);
  data = "cd\r\nA2";
  step = r.feed(data);
  EXPECT_EQ(step.state, State::literal_chunk);
  EXPECT_EQ(step.chunk, "cd");
  EXPECT_EQ(step.consumed, 2u);
  step = r.feed(std::string_view(data).substr(2));
  EXPECT_EQ(step.state, State::complete);
  EXPECT_EQ(step.consumed, 2u);
  EXPECT_TRUE(step.chunk.empty());
  EXPECT_EQ(r.take_command(), "A1 APPEND {5}\r\nINBOX (\\Seen) {4}");
  EXPECT_EQ(r.streamed_literals(), std::vector<size_t>{29});
  r.reset();
  EXPECT_TRUE(r.streamed_literals().empty());
}

TEST(StreamReader, ResetMidStream) {
  CommandReader r;
  auto step = r.feed("A1 APPEND INBOX {10}\r\n");
  ASSERT_EQ(step.state, State::literal_announced);
  r.stream_literal();
  step = r.feed("abc");
  EXPECT_EQ(step.state, State::literal_chunk);
  r.reset();
  EXPECT_TRUE(r.streamed_literals().empty());
  EXPECT_EQ(r.partial_command(), "");
  step = r.feed("A2 NOOP\r\n");
  EXPECT_EQ(step.state, State::complete);
  EXPECT_EQ(r.take_command(), "A2 NOOP");
  EXPECT_TRUE(r.streamed_literals().empty());
}

TEST(StreamReader, AbandonDiscardsRestOfCommand) {
  CommandReader r;
  std::string in = "A1 APPEND INBOX {6}\r\nabcdef {3+}\r\nxyz\r\nA2 NOOP\r\n";
  auto step = r.feed(in);
  ASSERT_EQ(step.state, State::literal_announced);
  r.stream_literal();
  in.erase(0, step.consumed);
  step = r.feed(std::string_view(in).substr(0, 2));
  EXPECT_EQ(step.state, State::literal_chunk);
  in.erase(0, step.consumed);
  r.abandon_literal();
  step = r.feed(in);
  EXPECT_EQ(step.state, State::literal_too_big);
  EXPECT_EQ(r.tag(), "A1");
  in.erase(0, step.consumed);
  EXPECT_EQ(in, "A2 NOOP\r\n");
  r.reset();
  step = r.feed(in);
  EXPECT_EQ(step.state, State::complete);
  EXPECT_EQ(r.take_command(), "A2 NOOP");
}

TEST(StreamReader, StreamOnlyWhenAnnounced) {
  CommandReader r;
  r.stream_literal();  // no-op
  EXPECT_TRUE(r.streamed_literals().empty());
  auto step = r.feed("A1 NOOP\r\n");
  EXPECT_EQ(step.state, State::complete);
  r.stream_literal();  // no-op
  EXPECT_EQ(r.take_command(), "A1 NOOP");
}

// ---- Forging: only the reader's offsets make a literal "streamed" -----------

TEST(StreamForging, HeaderTextInsideALineIsNotStreamed) {
  // The client writes a streamed-looking header itself; nothing was streamed.
  auto framed = drive("A1 APPEND INBOX {300} {3}\r\nabc\r\n", {}, [](const CommandReader&) {
    return false;
  });
  ASSERT_EQ(framed.size(), 1u);
  EXPECT_TRUE(framed[0].offsets.empty());
  auto out = parse_command(framed[0].frame, ParseOptions{});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error.tag, "A1");
}

TEST(StreamForging, HeaderTextInsideAKeptLiteralIsData) {
  // First message streamed, second kept with a body that looks like a
  // streamed header.
  auto framed = drive("A1 APPEND INBOX {3}\r\nabc {5}\r\n{300}\r\n", {},
                      [](const CommandReader& r) { return r.literal().size == 3; });
  ASSERT_EQ(framed.size(), 1u);
  EXPECT_EQ(framed[0].frame, "A1 APPEND INBOX {3} {5}\r\n{300}");
  ParseOptions opts;
  opts.streamed_literals = framed[0].offsets;
  auto out = parse_command(framed[0].frame, opts);
  ASSERT_TRUE(out.ok()) << out.error.message;
  const auto& a = std::get<AppendArgs>(out.command->args);
  ASSERT_EQ(a.messages.size(), 2u);
  EXPECT_TRUE(a.messages[0].streamed);
  EXPECT_EQ(a.messages[0].size, 3u);
  EXPECT_FALSE(a.messages[1].streamed);
  EXPECT_EQ(a.messages[1].data, "{300}");
}

TEST(StreamForging, FrameWithoutOffsetsFails) {
  auto out = parse_command("A1 APPEND INBOX {300}", ParseOptions{});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error.message, "Invalid literal");
  // "{3}" with a CRLF but no body: short literal, not streamed.
  out = parse_command("A1 APPEND INBOX {3}\r\n", ParseOptions{});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error.message, "Literal shorter than announced");
}

TEST(StreamForging, StreamedLiteralOutsideAppendMessageIsBad) {
  struct Case {
    std::string frame;
    std::vector<size_t> offsets;
  };
  std::vector<Case> cases = {
      {"A1 APPEND {5} {3}\r\nabc", {10}},      // mailbox name streamed
      {"A1 LOGIN {3} {2}\r\npw", {9}},         // LOGIN user
      {"A1 APPEND INBOX {3}\r\nabc", {16}},    // offset on a kept literal
      {"A1 APPEND INBOX {3}\r\nabc", {2}},     // offset on no literal at all
      {"A1 APPEND INBOX {3}\r\nabc", {100}},   // offset past the end
      {"A1 SELECT {5}", {10}},
  };
  for (const auto& c : cases) {
    ParseOptions opts;
    opts.streamed_literals = c.offsets;
    auto out = parse_command(c.frame, opts);
    EXPECT_FALSE(out.ok()) << c.frame;
    EXPECT_EQ(out.error.tag, "A1") << c.frame;
  }
}

// ---- parse_command with streamed literals ----------------------------------

ParseOutcome parse_streamed(std::string_view frame, std::vector<size_t> offsets) {
  ParseOptions opts;
  opts.streamed_literals = std::move(offsets);
  return parse_command(frame, opts);
}

TEST(StreamParse, Single) {
  auto out = parse_streamed("A1 APPEND inbox {300}", {16});
  ASSERT_TRUE(out.ok()) << out.error.message;
  const auto& a = std::get<AppendArgs>(out.command->args);
  EXPECT_EQ(a.mailbox, "INBOX");
  ASSERT_EQ(a.messages.size(), 1u);
  const auto& m = a.messages[0];
  EXPECT_TRUE(m.streamed);
  EXPECT_EQ(m.size, 300u);
  EXPECT_EQ(m.stream_index, 0u);
  EXPECT_TRUE(m.data.empty());
  EXPECT_FALSE(m.binary);
}

TEST(StreamParse, FlagsDateAndNonSync) {
  std::string frame = "A1 APPEND Drafts (\\Seen $Work) \"05-Mar-2021 10:11:12 +0100\" {12345+}";
  auto out = parse_streamed(frame, {offset_of(frame, "{12345+}")});
  ASSERT_TRUE(out.ok()) << out.error.message;
  const auto& m = std::get<AppendArgs>(out.command->args).messages.at(0);
  EXPECT_TRUE(m.streamed);
  EXPECT_EQ(m.size, 12345u);
  EXPECT_EQ(m.flags, (FlagList{"\\Seen", "$Work"}));
  ASSERT_TRUE(m.internal_date);
  EXPECT_EQ(m.internal_date->offset_minutes, 60);
}

TEST(StreamParse, MultiappendKeptThenStreamed) {
  std::string frame = "A1 APPEND INBOX (\\Seen) {3}\r\nabc \"01-Jan-2020 00:00:00 +0000\" ~{900}";
  auto out = parse_streamed(frame, {offset_of(frame, "~{900}")});
  ASSERT_TRUE(out.ok()) << out.error.message;
  const auto& a = std::get<AppendArgs>(out.command->args);
  ASSERT_EQ(a.messages.size(), 2u);
  EXPECT_FALSE(a.messages[0].streamed);
  EXPECT_EQ(a.messages[0].data, "abc");
  EXPECT_EQ(a.messages[0].size, 3u);
  EXPECT_TRUE(a.messages[1].streamed);
  EXPECT_TRUE(a.messages[1].binary);
  EXPECT_EQ(a.messages[1].size, 900u);
  EXPECT_EQ(a.messages[1].stream_index, 0u);
  EXPECT_TRUE(a.messages[1].internal_date);
}

TEST(StreamParse, MultiappendStreamedThenKeptThenStreamedUtf8) {
  std::string frame = "A1 APPEND INBOX {900} (\\Flagged) {2}\r\nhi UTF8 (~{700+})";
  auto out = parse_streamed(frame, {16, offset_of(frame, "~{700+}")});
  ASSERT_TRUE(out.ok()) << out.error.message;
  const auto& a = std::get<AppendArgs>(out.command->args);
  ASSERT_EQ(a.messages.size(), 3u);
  EXPECT_TRUE(a.messages[0].streamed);
  EXPECT_EQ(a.messages[0].stream_index, 0u);
  EXPECT_EQ(a.messages[0].size, 900u);
  EXPECT_FALSE(a.messages[1].streamed);
  EXPECT_EQ(a.messages[1].data, "hi");
  EXPECT_EQ(a.messages[1].flags, FlagList{"\\Flagged"});
  EXPECT_TRUE(a.messages[2].streamed);
  EXPECT_TRUE(a.messages[2].utf8);
  EXPECT_TRUE(a.messages[2].binary);
  EXPECT_EQ(a.messages[2].stream_index, 1u);
  EXPECT_EQ(a.messages[2].size, 700u);
}

TEST(StreamParse, StreamedLiteralStillNeedsSyntax) {
  EXPECT_FALSE(parse_streamed("A1 APPEND INBOX {300}x", {16}).ok());        // no SP after
  EXPECT_FALSE(parse_streamed("A1 APPEND INBOX {300} ", {16}).ok());        // trailing SP
  EXPECT_FALSE(parse_streamed("A1 APPEND INBOX UTF8 ({300})", {22}).ok());  // UTF8 needs ~
  EXPECT_FALSE(parse_streamed("A1 APPEND INBOX UTF8 (~{300}", {22}).ok());  // missing )
  EXPECT_TRUE(parse_streamed("A1 APPEND INBOX UTF8 (~{300})", {22}).ok());
}

TEST(StreamParse, EndToEndThroughReader) {
  std::string input =
      bin("A1 APPEND {5}\r\nINBOX (\\Seen) {10}\r\n0123456789 {2}\r\nhi UTF8 (~{4}\r\n\0\1\2\3)\r\n");
  Decide big = [](const CommandReader& r) {
    return stream_messages(r) && r.literal().size >= 4;
  };
  for (std::vector<size_t> cuts : {std::vector<size_t>{}, {1}, {3, 7, 2}}) {
    auto framed = drive(input, cuts, big);
    ASSERT_EQ(framed.size(), 1u);
    ASSERT_EQ(framed[0].bodies.size(), 2u);
    EXPECT_EQ(framed[0].bodies[0], "0123456789");
    EXPECT_EQ(framed[0].bodies[1], std::string("\0\1\2\3", 4));
    ParseOptions opts;
    opts.streamed_literals = framed[0].offsets;
    auto out = parse_command(framed[0].frame, opts);
    ASSERT_TRUE(out.ok()) << out.error.message;
    const auto& a = std::get<AppendArgs>(out.command->args);
    ASSERT_EQ(a.messages.size(), 3u);
    EXPECT_EQ(a.mailbox, "INBOX");
    EXPECT_TRUE(a.messages[0].streamed);
    EXPECT_EQ(a.messages[0].size, 10u);
    EXPECT_EQ(a.messages[1].data, "hi");
    EXPECT_TRUE(a.messages[2].streamed);
    EXPECT_EQ(a.messages[2].stream_index, 1u);
  }
}

// ---- announces_append_message / is_append_prefix ---------------------------

struct AnnounceCase {
  std::string partial;
  bool expected;
  std::vector<size_t> streamed = {};
};

TEST(AnnouncesAppendMessage, Table) {
  std::vector<AnnounceCase> cases = {
      {"A1 APPEND INBOX {300}", true},
      {"A1 APPEND INBOX {300}\r\n", true},  // CRLF after the header tolerated
      {"A1 APPEND INBOX {300+}", true},
      {"A1 APPEND INBOX ~{300}", true},
      {"A1 append inbox {3}", true},
      {"a.1 ApPeNd \"My Box\" {3}", true},
      {"A1 APPEND {5}", false},  // the mailbox name
      {"A1 APPEND {5+}", false},
      {"A1 APPEND {5}\r\nINBOX {300}", true},  // message after a literal name
      {"A1 APPEND INBOX (\\Seen) {300}", true},
      {"A1 APPEND INBOX () {300}", true},
      {"A1 APPEND INBOX \"05-Mar-2021 10:11:12 +0100\" {300}", true},
      {"A1 APPEND INBOX (\\Seen $X) \" 5-Mar-2021 10:11:12 -0800\" {300}", true},
      {"A1 APPEND INBOX UTF8 (~{300}", true},
      {"A1 APPEND INBOX UTF8 ({300}", false},  // UTF8 needs literal8
      {"A1 APPEND INBOX (\\Seen) UTF8 (~{300+}", true},
      {"A1 APPEND INBOX {3}\r\nabc {300}", true},  // MULTIAPPEND second message
      {"A1 APPEND INBOX {3}\r\nabc (\\Draft) {300}", true},
      {"A1 APPEND INBOX UTF8 (~{3}\r\nabc) {300}", true},
      {"A1 APPEND INBOX {3} {300}", true, {16}},  // first one was streamed
      {"A1 APPEND INBOX {3} (\\Seen) UTF8 (~{300}", true, {16}},
      {"A1 APPEND INBOX {3} {300}", false},  // "{3} " without offsets: bogus
      {"A1 APPEND INBOX {3}\r\nab {300}", false},  // short earlier literal
      {"A1 APPEND INBOX (\\Seen {300}", false},   // inside a flag list
      {"A1 APPEND INBOX (\\Recent) {300}", false},
      {"A1 APPEND INBOX \"bad date\" {300}", false},
      {"A1 APPEND INBOX  {300}", false},  // two spaces
      {"A1 APPEND INBOX{300}", false},
      {"A1 APPEND \"INB{300}", false},
      {"A1 APPEND", false},
      {"A1 APPEND INBOX", false},
      {"A1 APPEND INBOX {300", false},
      {"A1 UID APPEND INBOX {300}", false},
      {"A1 APPENDX INBOX {300}", false},
      {"A1 LOGIN {300}", false},
      {"A1 LOGIN bob {300}", false},
      {"A1 SETMETADATA INBOX (/private/comment ~{300}", false},
      {"A1 SEARCH TEXT {300}", false},
      {"APPEND INBOX {300}", false},  // no tag: "APPEND" is the tag
      {" A1 APPEND INBOX {300}", false},
      {"{300}", false},
      {"", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(announces_append_message(c.partial, c.streamed), c.expected) << c.partial;
  }
}

TEST(AnnouncesAppendMessage, EveryPrefixIsSafe) {
  std::string full = "A1 APPEND {5}\r\nINBOX (\\Seen) \"01-Jan-2020 00:00:00 +0000\" {3}\r\nabc "
                     "UTF8 (~{2}\r\nhi) {1}";
  for (size_t n = 0; n <= full.size(); ++n) (void)announces_append_message(full.substr(0, n));
  EXPECT_TRUE(announces_append_message(full));
}

TEST(IsAppendPrefix, Table) {
  EXPECT_TRUE(is_append_prefix("A1 APPEND "));
  EXPECT_TRUE(is_append_prefix("A1 append INBOX {3}"));
  EXPECT_TRUE(is_append_prefix("A1 APPEND {5}\r\nINBOX {300}"));
  EXPECT_FALSE(is_append_prefix("A1 APPEND"));
  EXPECT_FALSE(is_append_prefix("A1 APPENDX "));
  EXPECT_FALSE(is_append_prefix("A1 UID APPEND "));
  EXPECT_FALSE(is_append_prefix("A1  APPEND "));
  EXPECT_FALSE(is_append_prefix("+ APPEND "));
  EXPECT_FALSE(is_append_prefix("A1 LOGIN {3}"));
  EXPECT_FALSE(is_append_prefix(""));
}

}  // namespace
}  // namespace courriel::imap
