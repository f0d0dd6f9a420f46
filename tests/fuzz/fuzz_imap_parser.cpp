// libFuzzer target for the IMAP command path: CommandReader framing (fed in
// pieces whose sizes come from the input; each announced literal accepted,
// streamed or rejected as a data byte says), parse_command under both UTF-8
// options (with the frame's streamed literal offsets), announces_append_message
// and is_append_prefix on partial commands, and modified UTF-7 round trips.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imap/parser/command_parser.h"
#include "imap/parser/command_reader.h"
#include "base/mutf7.h"

using namespace courriel::imap;

namespace {

void parse_both(std::string_view cmd, const std::vector<size_t>& streamed = {}) {
  for (bool utf8 : {false, true}) {
    ParseOutcome out = parse_command(cmd, ParseOptions{utf8, streamed});
    if (!out.ok() && out.error.message.empty()) abort();
    if (!out.ok() || out.command->name != CommandName::append) continue;
    // Every streamed literal is exactly one streamed message, in order.
    size_t k = 0;
    for (const AppendMessage& m : std::get<AppendArgs>(out.command->args).messages) {
      if (m.streamed) {
        if (m.stream_index != k++ || !m.data.empty()) abort();
      } else if (m.size != m.data.size()) {
        abort();
      }
    }
    if (k != streamed.size()) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  // Small limits so the fuzzer reaches every limit path.
  CommandReader reader(ReaderLimits{256, 512, 2048});
  size_t pos = 0;
  size_t step_no = 0;
  // The streamed literals of the current command: announced sizes and bytes
  // handed out so far.
  std::vector<uint64_t> stream_sizes;
  std::vector<uint64_t> stream_got;
  bool all_messages = true;  // every streamed literal passed announces_append_message
  auto new_command = [&] {
    stream_sizes.clear();
    stream_got.clear();
    all_messages = true;
  };
  while (pos < size) {
    // Piece sizes from the data itself: 1..16 bytes.
    size_t n = 1 + static_cast<size_t>(data[(pos * 7 + step_no++) % size]) % 16;
    std::string_view piece = in.substr(pos, n);
    pos += piece.size();
    while (!piece.empty()) {
      CommandReader::Step step = reader.feed(piece);
      if (step.consumed > piece.size()) abort();
      if (step.state == CommandReader::State::literal_chunk) {
        if (step.chunk.empty() || step.chunk.size() != step.consumed ||
            step.chunk.data() != piece.data() || stream_sizes.empty())
          abort();
        stream_got.back() += step.chunk.size();
        if (stream_got.back() > stream_sizes.back()) abort();
      } else if (!step.chunk.empty()) {
        abort();
      }
      piece.remove_prefix(step.consumed);
      switch (step.state) {
        case CommandReader::State::need_more:
          if (!piece.empty()) abort();
          break;
        case CommandReader::State::literal_chunk:
          break;
        case CommandReader::State::literal_announced: {
          std::string_view partial = reader.partial_command();
          bool message = announces_append_message(partial, reader.streamed_literals());
          if (message && !is_append_prefix(partial)) abort();
          // A data byte decides: stream (only message literals, the way the
          // session does, or any literal to test the parser's refusal),
          // accept, or reject.
          uint8_t choice = data[(pos * 13 + step_no++) % size];
          bool stream = (choice & 3) == 0 ? true : (choice & 3) == 1 ? message : false;
          if (stream) {
            all_messages = all_messages && message;
            stream_sizes.push_back(reader.literal().size);
            stream_got.push_back(0);
            reader.stream_literal();
            const auto& offs = reader.streamed_literals();
            if (offs.size() != stream_sizes.size()) abort();
            std::string_view now = reader.partial_command();
            if (offs.back() >= now.size() || (now[offs.back()] != '{' && now[offs.back()] != '~'))
              abort();
          } else if (reader.literal_within_limits()) {
            reader.accept_literal();
          } else {
            // A synchronizing literal's command is dropped at once.
            if (reader.literal().synchronizing) new_command();
            reader.reject_literal();
          }
          break;
        }
        case CommandReader::State::complete: {
          for (size_t k = 0; k < stream_sizes.size(); ++k)
            if (stream_got[k] != stream_sizes[k]) abort();
          std::string cmd = reader.take_command();
          parse_both(cmd, reader.streamed_literals());
          // Parsed without its offsets, a frame with streamed message
          // literals fails (unknown commands aside: never looked at).
          if (all_messages && !reader.streamed_literals().empty()) {
            ParseOutcome bare = parse_command(cmd, ParseOptions{});
            if (bare.ok() && bare.command->name != CommandName::unknown) abort();
          }
          reader.reset();
          new_command();
          break;
        }
        default:
          (void)reader.tag();
          reader.reset();
          new_command();
          break;
      }
    }
  }
  // The input as one command, unframed; and as a partial command.
  parse_both(in);
  (void)announces_append_message(in);
  (void)is_append_prefix(in);

  if (auto decoded = courriel::mutf7_decode(in)) {
    if (courriel::mutf7_encode(*decoded) != in) abort();
  }
  std::string encoded = courriel::mutf7_encode(in);
  auto back = courriel::mutf7_decode(encoded);
  if (!back) abort();
  if (courriel::mutf7_encode(*back) != encoded) abort();
  return 0;
}
