#include "base/result.h"

namespace courriel {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::invalid: return "invalid";
    case Errc::not_found: return "not-found";
    case Errc::already_exists: return "already-exists";
    case Errc::permission_denied: return "permission-denied";
    case Errc::too_big: return "too-big";
    case Errc::over_quota: return "over-quota";
    case Errc::auth_failed: return "auth-failed";
    case Errc::temporary: return "temporary";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

}  // namespace courriel
