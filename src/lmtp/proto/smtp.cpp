#include "lmtp/proto/smtp.h"

#include "base/ascii.h"

namespace courriel::lmtp {

std::string SmtpReply::text() const {
  std::string out;
  for (const std::string& l : lines) {
    if (!out.empty()) out += ' ';
    out += l;
  }
  return out;
}

ReplyStep parse_reply(std::string_view data, size_t max_line, size_t max_lines) {
  ReplyStep step;
  auto bad = [&](std::string why) {
    step.state = ReplyStep::State::bad;
    step.error = std::move(why);
    return step;
  };
  size_t pos = 0;
  for (;;) {
    size_t lf = data.find('\n', pos);
    if (lf == std::string_view::npos) {
      if (data.size() - pos > max_line + 1) return bad("reply line too long");
      return ReplyStep{};  // need_more
    }
    std::string_view line = data.substr(pos, lf - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max_line) return bad("reply line too long");
    // Reply-code = %x32-35 %x30-35 %x30-39 (RFC 5321 §4.2).
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
        !ascii::is_digit(line[2]))
      return bad("malformed reply line '" + ascii::printable(line) + "'");
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (step.reply.lines.empty()) {
      step.reply.code = code;
    } else if (code != step.reply.code) {
      return bad("reply code changes within a multiline reply");
    }
    bool more = line.size() > 3 && line[3] == '-';
    if (line.size() > 3 && line[3] != '-' && line[3] != ' ')
      return bad("malformed reply line '" + ascii::printable(line) + "'");
    step.reply.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
    pos = lf + 1;
    if (!more) break;
    if (step.reply.lines.size() >= max_lines) return bad("reply has too many lines");
  }
  step.state = ReplyStep::State::reply;
  step.consumed = pos;
  return step;
}

bool has_extension(const SmtpReply& ehlo, std::string_view keyword) {
  // The first line greets; each later one is "keyword [params]".
  for (size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::string_view l = ehlo.lines[i];
    if (ascii::iequals(l.substr(0, l.find(' ')), keyword)) return true;
  }
  return false;
}

void DotStuffer::feed(std::string_view data, std::string& out) {
  size_t i = 0;
  while (i < data.size()) {
    if (at_line_start_ && data[i] == '.') out += '.';
    size_t lf = data.find('\n', i);
    size_t end = lf == std::string_view::npos ? data.size() : lf + 1;
    out.append(data.data() + i, end - i);
    at_line_start_ = lf != std::string_view::npos;
    i = end;
  }
}

void DotStuffer::finish(std::string& out) {
  if (!at_line_start_) out += "\r\n";
  out += ".\r\n";
  at_line_start_ = true;
}

}  // namespace courriel::lmtp
