// The base subject of RFC 5256 §2.1, which SORT SUBJECT and THREAD
// (ORDEREDSUBJECT, REFERENCES) compare. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace courriel::mail {

// `subject` (a raw, possibly folded field value) decoded to UTF-8 (RFC 2047),
// whitespace runs collapsed to one space, then stripped of "(fwd)" trailers,
// "Re:", "Fw:", "Fwd:" leaders with their "[blob]"s, leading blobs that do
// not make up the whole subject, and "[Fwd: ...]" wrappers, repeatedly
// (RFC 5256 §2.1 steps 1-6). Case is kept: callers compare with i;unicode-
// casemap or at least ASCII case folding.
std::string base_subject(std::string_view subject);

}  // namespace courriel::mail
