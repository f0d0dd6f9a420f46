#include "imap/parser/command_reader.h"

#include <algorithm>

#include "base/ascii.h"
#include "imap/parser/syntax_chars.h"

namespace courriel::imap {
namespace {

// "~{" + 20 digits + "+}" is 25 bytes; a longer tail never holds more.
constexpr size_t kTailKeep = 32;
// Past this, reset() gives the buffer's memory back.
constexpr size_t kKeepCapacity = 16 * 1024;

}  // namespace

std::optional<LiteralInfo> literal_header_at_end(std::string_view line, size_t* header_len) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  size_t end = line.size() - 1;  // index of '}'
  LiteralInfo info;
  if (end > 0 && line[end - 1] == '+') {
    info.synchronizing = false;
    --end;
  }
  size_t begin = end;
  while (begin > 0 && ascii::is_digit(line[begin - 1])) --begin;
  if (begin == end || begin == 0 || line[begin - 1] != '{') return std::nullopt;
  auto size = ascii::parse_u64(line.substr(begin, end - begin));
  if (!size) return std::nullopt;
  info.size = *size;
  size_t start = begin - 1;  // index of '{'
  if (start > 0 && line[start - 1] == '~') {
    info.binary = true;
    --start;
  }
  if (header_len) *header_len = line.size() - start;
  return info;
}

CommandReader::CommandReader(ReaderLimits limits) : limits_(limits) {}

bool CommandReader::literal_within_limits() const {
  return literal_.size <= limits_.max_literal && buf_.size() <= limits_.max_command &&
         literal_.size <= limits_.max_command - buf_.size();
}

CommandReader::Step CommandReader::feed(std::string_view data) {
  if (mode_ == Mode::line && buf_.empty() && !data.empty()) kept_tag_.clear();
  if (mode_ == Mode::stream) {
    if (data.empty()) return {State::need_more, 0, {}};
    size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size()));
    remaining_ -= n;
    if (remaining_ == 0) continue_line();
    return {State::literal_chunk, n, data.substr(0, n)};
  }
  size_t i = 0;
  while (i < data.size() && mode_ != Mode::done && mode_ != Mode::announced) {
    std::string_view rest = data.substr(i);
    switch (mode_) {
      case Mode::line: {
        size_t nl = rest.find('\n');
        size_t n = nl == std::string_view::npos ? rest.size() : nl;
        size_t line_room = limits_.max_line - line_len_;
        size_t cmd_room = buf_.size() < limits_.max_command ? limits_.max_command - buf_.size() : 0;
        if (n > line_room || n > cmd_room) {
          // Keep what fits (the tag is in there), discard the rest.
          size_t fit = std::min(line_room, cmd_room);
          buf_.append(rest.substr(0, fit));
          i += fit;
          start_skipping(n > line_room ? State::line_too_long : State::command_too_long);
          break;
        }
        buf_.append(rest.substr(0, n));
        line_len_ += n;
        i += n;
        if (nl != std::string_view::npos) {
          ++i;
          end_line();
        }
        break;
      }
      case Mode::literal: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        buf_.append(rest.substr(0, n));
        remaining_ -= n;
        i += n;
        if (remaining_ == 0) continue_line();
        break;
      }
      case Mode::skip_line: {
        size_t nl = rest.find('\n');
        std::string_view chunk = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl);
        if (chunk.size() >= kTailKeep) {
          skip_tail_.assign(chunk.substr(chunk.size() - kTailKeep));
        } else {
          skip_tail_.append(chunk);
          if (skip_tail_.size() > kTailKeep) skip_tail_.erase(0, skip_tail_.size() - kTailKeep);
        }
        i += chunk.size();
        if (nl != std::string_view::npos) {
          ++i;
          end_skipped_line();
        }
        break;
      }
      case Mode::skip_literal: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, rest.size()));
        remaining_ -= n;
        i += n;
        if (remaining_ == 0) {
          mode_ = Mode::skip_line;
          skip_tail_.clear();
        }
        break;
      }
      case Mode::stream:  // handled above; feed() returns at each chunk
      case Mode::announced:
      case Mode::done:
        break;
    }
  }
  State state = State::need_more;
  if (mode_ == Mode::done) state = result_;
  if (mode_ == Mode::announced) state = State::literal_announced;
  return {state, i, {}};
}

void CommandReader::end_line() {
  if (buf_.size() > line_start_ && buf_.back() == '\r') buf_.pop_back();
  std::string_view line = std::string_view(buf_).substr(line_start_);
  if (auto lit = literal_header_at_end(line, &header_len_)) {
    literal_ = *lit;
    buf_.append("\r\n");
    mode_ = Mode::announced;
    return;
  }
  finish(State::complete);
}

void CommandReader::start_skipping(State result) {
  skip_result_ = result;
  std::string_view line = std::string_view(buf_).substr(line_start_);
  skip_tail_.assign(line.substr(line.size() > kTailKeep ? line.size() - kTailKeep : 0));
  mode_ = Mode::skip_line;
}

void CommandReader::end_skipped_line() {
  if (!skip_tail_.empty() && skip_tail_.back() == '\r') skip_tail_.pop_back();
  auto lit = literal_header_at_end(skip_tail_);
  skip_tail_.clear();
  if (lit && !lit->synchronizing) {
    // RFC 7888 §4: the client sends a non-synchronizing literal's bytes
    // without waiting, so they are part of what must be discarded.
    remaining_ = lit->size;
    mode_ = remaining_ == 0 ? Mode::skip_line : Mode::skip_literal;
    return;
  }
  finish(skip_result_);
}

void CommandReader::continue_line() {
  mode_ = Mode::line;
  line_start_ = buf_.size();
  line_len_ = 0;
}

void CommandReader::accept_literal() {
  if (mode_ != Mode::announced) return;
  remaining_ = literal_.size;
  if (remaining_ > 0) {
    mode_ = Mode::literal;
  } else {
    continue_line();
  }
}

void CommandReader::stream_literal() {
  if (mode_ != Mode::announced) return;
  buf_.resize(buf_.size() - 2);  // the "\r\n" end_line() put after the header
  streamed_.push_back(buf_.size() - header_len_);
  remaining_ = literal_.size;
  if (remaining_ > 0) {
    mode_ = Mode::stream;
  } else {
    continue_line();
  }
}

void CommandReader::abandon_literal() {
  if (mode_ != Mode::stream) return;
  skip_result_ = State::literal_too_big;
  skip_tail_.clear();
  mode_ = Mode::skip_literal;  // remaining_ > 0 in Mode::stream
}

std::string_view CommandReader::partial_command() const {
  std::string_view b = buf_;
  if (mode_ == Mode::announced) b.remove_suffix(2);  // the "\r\n" after the header
  return b;
}

void CommandReader::reject_literal() {
  if (mode_ != Mode::announced) return;
  if (literal_.synchronizing) {
    std::string tag(this->tag());
    reset();
    kept_tag_ = std::move(tag);
    return;
  }
  skip_result_ = State::literal_too_big;
  skip_tail_.clear();
  remaining_ = literal_.size;
  mode_ = remaining_ == 0 ? Mode::skip_line : Mode::skip_literal;
}

std::string CommandReader::take_command() {
  std::string out = std::move(buf_);
  buf_.clear();
  return out;
}

std::string_view CommandReader::tag() const {
  if (mode_ == Mode::line && buf_.empty()) return kept_tag_;
  std::string_view b = buf_;
  size_t k = b.find_first_of(" \r");
  std::string_view token;
  if (k != std::string_view::npos) {
    token = b.substr(0, k);
  } else if (mode_ == Mode::done && result_ == State::complete) {
    token = b;
  }
  if (token.empty()) return {};
  for (char c : token)
    if (!chars::is_tag_char(c)) return {};
  return token;
}

void CommandReader::reset() {
  if (buf_.capacity() > kKeepCapacity) {
    std::string().swap(buf_);
  } else {
    buf_.clear();
  }
  mode_ = Mode::line;
  result_ = State::need_more;
  line_start_ = 0;
  line_len_ = 0;
  remaining_ = 0;
  literal_ = {};
  header_len_ = 0;
  streamed_.clear();
  skip_tail_.clear();
  skip_result_ = State::need_more;
  kept_tag_.clear();
}

}  // namespace courriel::imap
