#include "lmtp/proto/framing.h"

namespace courriel::lmtp {

LineReader::Step LineReader::feed(std::string_view data) {
  auto lf = data.find('\n');
  if (skipping_) {
    if (lf == std::string_view::npos) return Step{State::need_more, data.size(), {}};
    skipping_ = false;
    return Step{State::too_long, lf + 1, {}};
  }
  if (lf == std::string_view::npos) {
    // One more byte is allowed for the CR of a CRLF not yet complete.
    if (data.size() > max_line_ + 1) {
      skipping_ = true;
      return Step{State::need_more, data.size(), {}};
    }
    return Step{State::need_more, 0, {}};
  }
  size_t end = lf > 0 && data[lf - 1] == '\r' ? lf - 1 : lf;
  if (end > max_line_) return Step{State::too_long, lf + 1, {}};
  return Step{State::line, lf + 1, data.substr(0, end)};
}

BodyDecoder::Step BodyDecoder::feed(std::string_view data, std::string& out) {
  size_t i = 0;
  while (i < data.size()) {
    char c = data[i];
    switch (state_) {
      case bol:
        if (c == '.') {
          state_ = dot;
          ++i;
          continue;
        }
        state_ = mid;
        continue;  // the same byte, as part of a line
      case mid: {
        // The common case: copy up to the next line end in one go.
        auto stop = data.find_first_of("\r\n", i);
        if (stop == std::string_view::npos) stop = data.size();
        out.append(data.data() + i, stop - i);
        i = stop;
        if (i == data.size()) break;
        if (data[i] == '\r') {
          state_ = cr;
        } else {
          out += "\r\n";
          state_ = mode_ == Mode::raw ? mid : bol;
        }
        ++i;
        continue;
      }
      case cr:
        if (c == '\n') {
          out += "\r\n";
          state_ = mode_ == Mode::raw ? mid : bol;
          ++i;
        } else if (c == '\r') {
          out += '\r';  // a bare CR, kept; the new one may start a CRLF
          ++i;
        } else {
          out += '\r';
          state_ = mid;
        }
        continue;
      case dot:
        if (c == '\r') {
          state_ = dot_cr;
          ++i;
        } else if (c == '\n') {
          state_ = bol;
          return Step{i + 1, true};
        } else {
          state_ = mid;  // the leading dot was stuffing: dropped
        }
        continue;
      case dot_cr:
        if (c == '\n') {
          state_ = bol;
          return Step{i + 1, true};
        }
        // ".\r" then something else: a line that started with a stuffed dot
        // and holds a bare CR.
        out += '\r';
        state_ = mid;
        continue;
    }
  }
  return Step{data.size(), false};
}

void BodyDecoder::finish(std::string& out) {
  if (state_ == cr || state_ == dot_cr) out += '\r';
  state_ = mode_ == Mode::raw ? mid : bol;
}

}  // namespace courriel::lmtp
