// libFuzzer target for the LMTP syntax layer (lmtp/proto): LineReader framing
// fed in pieces whose sizes come from the input, parse_command on every
// line, address splitting, and BodyDecoder in both modes, checking that a
// piecewise decode equals a one-shot decode and that output line ends are CRLF.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lmtp/proto/command.h"
#include "lmtp/proto/framing.h"

using namespace courriel::lmtp;

namespace {

struct Decoded {
  std::string out;
  bool done = false;
  size_t consumed = 0;
};

Decoded decode(std::string_view in, BodyDecoder::Mode mode, const uint8_t* sizes, size_t nsizes) {
  BodyDecoder d(mode);
  Decoded r;
  size_t pos = 0, k = 0;
  while (pos < in.size() && !r.done) {
    size_t n = nsizes ? 1 + sizes[k++ % nsizes] % 32 : in.size();
    std::string_view piece = in.substr(pos, n);
    auto step = d.feed(piece, r.out);
    if (step.consumed > piece.size()) abort();
    if (!step.done && step.consumed != piece.size()) abort();
    r.done = step.done;
    pos += step.consumed;
  }
  if (mode == BodyDecoder::Mode::raw) d.finish(r.out);
  r.consumed = pos;
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  LineReader reader(64);
  std::string buf;
  size_t pos = 0, step_no = 0;
  while (pos < size) {
    size_t n = 1 + static_cast<size_t>(data[(pos * 7 + step_no++) % size]) % 16;
    buf.append(in.substr(pos, n));
    pos += n;
    for (;;) {
      auto step = reader.feed(buf);
      if (step.consumed > buf.size()) abort();
      if (step.state == LineReader::State::line) {
        if (step.line.size() > 64 || step.line.find('\n') != std::string_view::npos) abort();
        ParseOutcome p = parse_command(step.line);
        if (p.ok() == !p.error.empty()) abort();
        if (!p.ok() && (p.error.size() < 10 || (p.error[0] != '5' && p.error[0] != '4'))) abort();
        if (p.ok() && (p.command->verb == Verb::mail || p.command->verb == Verb::rcpt)) {
          if (p.command->address.size() > kMaxPath) abort();
          auto parts = split_address(p.command->address);
          auto local = split_local_part(parts.local, "+");
          if (local.user.size() + local.detail.size() > parts.local.size()) abort();
        }
      }
      buf.erase(0, step.consumed);
      if (step.state == LineReader::State::need_more) break;
    }
    if (buf.size() > 66) abort();  // never more than a line's worth kept
  }
  (void)parse_command(in);

  for (auto mode : {BodyDecoder::Mode::dot_terminated, BodyDecoder::Mode::raw}) {
    Decoded whole = decode(in, mode, nullptr, 0);
    Decoded pieces = decode(in, mode, data, size);
    if (whole.out != pieces.out || whole.done != pieces.done || whole.consumed != pieces.consumed)
      abort();
    if (mode == BodyDecoder::Mode::raw && whole.done) abort();
    // Every LF in the output is preceded by CR.
    for (size_t i = 0; i < whole.out.size(); ++i)
      if (whole.out[i] == '\n' && (i == 0 || whole.out[i - 1] != '\r')) abort();
    if (whole.out.size() > 2 * size + 1) abort();
  }
  return 0;
}
