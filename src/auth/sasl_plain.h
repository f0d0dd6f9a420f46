// The PLAIN SASL mechanism (RFC 4616), server side: splitting the decoded
// client message. The caller base64-decodes the AUTHENTICATE data first and
// verifies the password with UserDb::verify.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::auth {

struct PlainCredentials {
  std::string authzid;  // empty if the client did not ask to act as someone else
  std::string authcid;  // the user who authenticates
  std::string password;
};

// RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd, each part
// at most 255 bytes, authcid and passwd not empty. Errc::invalid otherwise;
// the detail never contains the password.
Result<PlainCredentials> decode_sasl_plain(std::string_view decoded_message);

}  // namespace courriel::auth
