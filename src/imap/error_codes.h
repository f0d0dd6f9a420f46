// The one mapping from Courriel's error vocabulary (base/result.h) to IMAP
// response codes (RFC 5530, RFC 9051 §7.1). Handlers answer a failed store or
// auth call with answer_error(); the detail goes to the log, never to the client.
#pragma once

#include <string_view>

#include "base/result.h"
#include "imap/response_writer.h"

namespace courriel::imap {

std::string_view response_code(Errc code);

// "<tag> NO [<code>] <text>" for `error`, logging its detail (session id `sid`).
void answer_error(ResponseWriter& out, std::string_view tag, const Error& error,
                  std::string_view text, uint64_t sid);

}  // namespace courriel::imap
