#include "imap/response_writer.h"

namespace courriel::imap {

void ResponseWriter::untagged(std::string_view text) {
  out_.append("* ").append(text).append("\r\n");
}

void ResponseWriter::tagged(std::string_view tag, Reply status, std::string_view code,
                            std::string_view text) {
  last_status_ = status;
  tagged_at_ = out_.size();
  out_.append(tag);
  out_.append(status == Reply::ok ? " OK " : status == Reply::no ? " NO " : " BAD ");
  if (!code.empty()) out_.append("[").append(code).append("] ");
  out_.append(text).append("\r\n");
}

void ResponseWriter::continuation(std::string_view text) {
  out_.append("+ ").append(text).append("\r\n");
}

void ResponseWriter::insert_before_tagged(std::string_view lines) {
  if (tagged_at_ == std::string::npos || tagged_at_ > out_.size()) {
    out_.append(lines);
  } else {
    out_.insert(tagged_at_, lines);
    tagged_at_ += lines.size();
  }
}

void ResponseWriter::clear() {
  tagged_at_ = std::string::npos;
  out_.clear();
}

void ResponseWriter::trim() {
  constexpr size_t kKeep = 16 * 1024;
  if (out_.empty() && out_.capacity() > kKeep) std::string().swap(out_);
}

}  // namespace courriel::imap
