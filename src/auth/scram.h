// SCRAM-SHA-256 (RFC 5802, RFC 7677), server side, without channel binding.
//
// We advertise SCRAM-SHA-256 only, never SCRAM-SHA-256-PLUS, so the client's
// GS2 header must say "n" (no channel binding) or "y" (client could bind but
// thinks we cannot: RFC 5802 §6, correct since we do not); "p=<type>" is refused.
//
// Credentials are what the server stores (RFC 5802 §3): salt, iteration count,
// StoredKey and ServerKey; never the password. Passwords are used as raw bytes:
// SASLprep (RFC 4013) is not implemented, which is exact for printable ASCII,
// the only user names we accept, and for passwords that SASLprep leaves alone.
//
// Thread-safety: the free functions are stateless. A ScramServer is one
// exchange of one connection and must not be shared between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::auth {

// RFC 7677 §4 asks for at least 4096; 10000 costs a client a few ms.
inline constexpr uint32_t kScramDefaultIterations = 10000;
// Upper bound accepted when reading stored credentials (and PBKDF2's int).
inline constexpr uint32_t kScramMaxIterations = 100'000'000;

struct ScramCredentials {
  std::string salt;  // raw bytes
  uint32_t iterations = 0;
  std::string stored_key;  // raw bytes: H(HMAC(SaltedPassword, "Client Key"))
  std::string server_key;  // raw bytes: HMAC(SaltedPassword, "Server Key")
  bool operator==(const ScramCredentials&) const = default;
};

// Credentials for `password` with a fresh random 16-byte salt. `iterations`
// is clamped to [1, kScramMaxIterations]. Costs `iterations` HMACs of CPU.
ScramCredentials make_scram_credentials(std::string_view password,
                                        uint32_t iterations = kScramDefaultIterations);

// The same with a given salt (RFC 5802 §3: SaltedPassword = Hi(password, salt, i)).
ScramCredentials derive_scram_credentials(std::string_view password, std::string_view salt,
                                          uint32_t iterations);

// Text form for the user file:
//   "SCRAM-SHA-256:<iterations>:<b64 salt>:<b64 StoredKey>:<b64 ServerKey>"
std::string encode_scram_credentials(const ScramCredentials& creds);
// Inverse of encode_scram_credentials; nullopt unless the text is exactly
// that form with 1 <= iterations <= kScramMaxIterations, a non-empty salt and
// 32-byte keys.
std::optional<ScramCredentials> decode_scram_credentials(std::string_view text);

// Credentials for a user who does not exist, derived from the user name and a
// server secret so that the same name always gets the same salt and the
// exchange looks like a real one (RFC 5802 §5.1 "unknown-user" would reveal
// which names exist). Its proof can never verify.
ScramCredentials fake_scram_credentials(std::string_view username, std::string_view server_secret);

// One server-side SCRAM-SHA-256 exchange (RFC 5802 §3, §5):
//   client_first(msg) -> user name; look up credentials (or fake them);
//   server_first(creds) -> send; client_final(msg) -> send "v=..." and succeed.
// Any failure ends the exchange: later calls fail with "other-error".
// On failure, server_error() is the RFC 5802 §7 server-error to send as the
// final message ("e=invalid-proof", ...) and the Error's detail starts with the
// same server-error-value followed by ": " and an explanation for the log.
class ScramServer {
 public:
  // `nonce_generator` returns the server's part of the nonce (printable ASCII
  // without ','); by default 18 random bytes in base64. Tests inject one.
  explicit ScramServer(std::function<std::string()> nonce_generator = {});

  // Step 1: the client-first-message (RFC 5802 §7). Returns the authentication
  // identity (the n= user name with =2C and =3D decoded), or Errc::invalid.
  Result<std::string> client_first(std::string_view message);

  // Step 2: the server-first-message "r=<c-nonce><s-nonce>,s=<salt>,i=<n>" for
  // `creds` (the user's, or fake_scram_credentials for an unknown user).
  // REQUIRES: client_first succeeded and server_first was not called yet
  // (otherwise returns an empty string and the exchange fails).
  std::string server_first(const ScramCredentials& creds);

  // Step 3: verifies the client-final-message: channel binding must repeat the
  // GS2 header, the nonce must be the combined one, and the proof must verify
  // (compared in constant time). Returns the server-final-message "v=<b64>" on
  // success; Errc::auth_failed for a wrong proof, Errc::invalid for anything
  // malformed or out of order.
  Result<std::string> client_final(std::string_view message);

  // The authorization identity from the GS2 header (a=, decoded), empty if none.
  std::string_view authzid() const { return authzid_; }

  // "e=<server-error-value>" after a failure, empty otherwise.
  std::string server_error() const;

  // True once client_final succeeded.
  bool succeeded() const { return state_ == State::kDone; }

 private:
  enum class State { kStart, kGotClientFirst, kSentServerFirst, kDone, kFailed };

  Error fail(Errc code, std::string_view value, std::string_view why);

  std::function<std::string()> nonce_generator_;
  State state_ = State::kStart;
  std::string gs2_header_;  // e.g. "n,," or "y,a=admin,"
  std::string authzid_;
  std::string client_first_bare_;
  std::string client_nonce_;
  std::string nonce_;  // client + server parts
  std::string server_first_;
  ScramCredentials creds_;
  std::string error_value_;
};

}  // namespace courriel::auth
