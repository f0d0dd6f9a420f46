// The hash, MAC and randomness primitives every part of auth/ uses, in one
// place over OpenSSL's libcrypto, so that no mechanism re-implements them.
// Internal to auth/: the rest of the server never needs them directly.
//
// Byte strings are carried in std::string (raw bytes, not text).
// Thread-safety: stateless functions; OpenSSL 3 is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace courriel::auth::crypto {

inline constexpr size_t kSha256Size = 32;

// SHA-256 of `data`.
std::string sha256(std::string_view data);

// HMAC-SHA-256 (RFC 2104) of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);

// PBKDF2 with HMAC-SHA-256 (RFC 8018 §5.2), 32 bytes of output: this is
// Hi() of RFC 5802 §2.2 for SCRAM-SHA-256. REQUIRES: iterations >= 1.
std::string pbkdf2_sha256(std::string_view password, std::string_view salt, uint32_t iterations);

// `n` bytes from OpenSSL's CSPRNG. Aborts the process if the generator fails:
// going on with predictable salts or nonces would be worse than stopping.
std::string random_bytes(size_t n);

// Compares in time that depends only on the lengths (CRYPTO_memcmp).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace courriel::auth::crypto
