#include "imap/error_codes.h"

#include <spdlog/spdlog.h>

namespace courriel::imap {

std::string_view response_code(Errc code) {
  switch (code) {
    case Errc::invalid: return "CANNOT";
    case Errc::not_found: return "NONEXISTENT";
    case Errc::already_exists: return "ALREADYEXISTS";
    case Errc::permission_denied: return "NOPERM";
    case Errc::too_big: return "TOOBIG";
    case Errc::over_quota: return "OVERQUOTA";
    case Errc::auth_failed: return "AUTHENTICATIONFAILED";
    case Errc::temporary: return "UNAVAILABLE";
    case Errc::internal: return "SERVERBUG";
  }
  return "SERVERBUG";
}

void answer_error(ResponseWriter& out, std::string_view tag, const Error& error,
                  std::string_view text, uint64_t sid) {
  if (error.code == Errc::internal || error.code == Errc::temporary)
    spdlog::error("imap sid={:x} {}: {}", sid, errc_name(error.code), error.detail);
  out.tagged(tag, Reply::no, response_code(error.code), text);
}

}  // namespace courriel::imap
