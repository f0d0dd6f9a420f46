// libFuzzer target for the SMTP client's parsing (lmtp/proto/smtp.h):
// parse_reply over the input and over it fed in pieces (the same replies
// must come out), has_extension on every reply, and DotStuffer's output
// checked: no line of the stuffed message starts with a lone '.', and it
// ends with the end line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lmtp/proto/smtp.h"

using namespace courriel::lmtp;

namespace {

// Every reply parse_reply cuts from `in`, fed whole or `piece` bytes at a time.
std::vector<SmtpReply> replies(std::string_view in, size_t piece, bool* bad) {
  std::vector<SmtpReply> out;
  std::string buf;
  size_t pos = 0;
  *bad = false;
  while (!*bad) {
    if (pos < in.size()) {
      size_t n = piece ? piece : in.size();
      buf.append(in.substr(pos, n));
      pos += std::min(n, in.size() - pos);
    }
    for (;;) {
      ReplyStep step = parse_reply(buf, 64, 8);
      if (step.state == ReplyStep::State::bad) {
        *bad = true;
        break;
      }
      if (step.state == ReplyStep::State::need_more) break;
      if (step.consumed == 0 || step.consumed > buf.size()) abort();
      if (step.reply.code < 200 || step.reply.code > 599 || step.reply.lines.empty() ||
          step.reply.lines.size() > 8)
        abort();
      (void)has_extension(step.reply, "8BITMIME");
      (void)step.reply.text();
      out.push_back(std::move(step.reply));
      buf.erase(0, step.consumed);
    }
    if (pos >= in.size()) break;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  bool bad_whole = false, bad_pieces = false;
  auto whole = replies(in, 0, &bad_whole);
  auto pieces = replies(in, 1 + (size ? data[0] % 7 : 0), &bad_pieces);
  // Fed in pieces, the same replies come out, up to where the whole input went bad.
  size_t n = std::min(whole.size(), pieces.size());
  for (size_t i = 0; i < n; ++i)
    if (whole[i].code != pieces[i].code || whole[i].lines != pieces[i].lines) abort();
  if (!bad_whole && !bad_pieces && whole.size() != pieces.size()) abort();

  DotStuffer stuffer;
  std::string wire;
  for (size_t pos = 0; pos < size; pos += 5) stuffer.feed(in.substr(pos, 5), wire);
  stuffer.finish(wire);
  if (wire.size() < 3 || wire.substr(wire.size() - 3) != ".\r\n") abort();
  // Before the end line, a line that starts with '.' has it doubled.
  std::string_view body(wire.data(), wire.size() - 3);
  for (size_t at = 0; at < body.size();) {
    size_t lf = body.find('\n', at);
    std::string_view line = body.substr(at, lf == std::string_view::npos ? std::string_view::npos : lf - at);
    if (!line.empty() && line[0] == '.' && (line.size() < 2 || line[1] != '.')) abort();
    if (lf == std::string_view::npos) break;
    at = lf + 1;
  }
  return 0;
}
