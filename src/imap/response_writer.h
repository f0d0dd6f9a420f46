// ResponseWriter: builds IMAP server responses (RFC 9051 §7) into one output
// buffer that the session flushes to the transport. Nothing here does I/O.
//
// The session flushes before every read and whenever size() passes its
// high-water mark, so pipelined commands get their answers in one write and
// a long FETCH never holds more than a bounded amount of output in memory.
#pragma once

#include <string>
#include <string_view>

namespace courriel::imap {

enum class Reply { ok, no, bad };

class ResponseWriter {
 public:
  // "* <text>\r\n"
  void untagged(std::string_view text);
  // "<tag> OK|NO|BAD [<code>] <text>\r\n"; code without brackets, may be empty.
  void tagged(std::string_view tag, Reply status, std::string_view code, std::string_view text);
  // "+ <text>\r\n"
  void continuation(std::string_view text);
  // Raw bytes, for responses built with response_syntax.h helpers; must end in CRLF.
  void append(std::string_view bytes) { out_.append(bytes); }
  std::string& buffer() { return out_; }

  // Puts untagged responses (complete lines) before the last tagged response
  // written, or at the end if there is none in the buffer. The session uses it
  // to report mailbox changes after a handler has answered.
  void insert_before_tagged(std::string_view lines);

  // The status of the last tagged response written, for the command log.
  Reply last_status() const { return last_status_; }

  size_t size() const { return out_.size(); }
  // Forgets what was sent, keeping the buffer for the rest of a long response.
  void clear();
  // Gives back a buffer a large response grew (the session calls it before
  // waiting for the next command: an idle connection stays small).
  void trim();

 private:
  std::string out_;
  Reply last_status_ = Reply::ok;
  size_t tagged_at_ = std::string::npos;  // offset of the last tagged response in out_
};

}  // namespace courriel::imap
