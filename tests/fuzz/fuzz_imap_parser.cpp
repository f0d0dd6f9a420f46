// libFuzzer target for the IMAP command path: CommandReader framing (fed in
// pieces whose sizes come from the input), parse_command under both UTF-8
// options, and modified UTF-7 decode/encode round trips.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "imap/parser/command_parser.h"
#include "imap/parser/command_reader.h"
#include "imap/parser/mutf7.h"

using namespace courriel::imap;

namespace {

void parse_both(std::string_view cmd) {
  for (bool utf8 : {false, true}) {
    ParseOutcome out = parse_command(cmd, ParseOptions{utf8});
    if (!out.ok() && out.error.message.empty()) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  // Small limits so the fuzzer reaches every limit path.
  CommandReader reader(ReaderLimits{256, 512, 2048});
  size_t pos = 0;
  size_t step_no = 0;
  while (pos < size) {
    // Piece sizes from the data itself: 1..16 bytes.
    size_t n = 1 + static_cast<size_t>(data[(pos * 7 + step_no++) % size]) % 16;
    std::string_view piece = in.substr(pos, n);
    pos += piece.size();
    while (!piece.empty()) {
      CommandReader::Step step = reader.feed(piece);
      if (step.consumed > piece.size()) abort();
      piece.remove_prefix(step.consumed);
      switch (step.state) {
        case CommandReader::State::need_more:
          if (!piece.empty()) abort();
          break;
        case CommandReader::State::literal_announced:
          if (reader.literal_within_limits()) {
            reader.accept_literal();
          } else {
            reader.reject_literal();
          }
          break;
        case CommandReader::State::complete: {
          std::string cmd = reader.take_command();
          parse_both(cmd);
          reader.reset();
          break;
        }
        default:
          (void)reader.tag();
          reader.reset();
          break;
      }
    }
  }
  // The input as one command, unframed.
  parse_both(in);

  if (auto decoded = mutf7_decode(in)) {
    if (mutf7_encode(*decoded) != in) abort();
  }
  std::string encoded = mutf7_encode(in);
  auto back = mutf7_decode(encoded);
  if (!back) abort();
  if (mutf7_encode(*back) != encoded) abort();
  return 0;
}
