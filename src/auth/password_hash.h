// Password hashing for the user database: argon2id (RFC 9106) in the standard
// PHC string form, with verification of SHA-crypt and yescrypt hashes so that
// users imported from /etc/shadow or another server keep their passwords.
//
// COST: hash_password and verify_password each burn ~30-50 ms of CPU and 19 MiB
// of memory on purpose (that is what makes a stolen user file expensive to
// crack). Never call them on an event-loop thread: post them to a worker.
//
// Thread-safety: stateless, safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace courriel::auth {

// argon2id parameters: the OWASP Password Storage Cheat Sheet's first choice
// (m=19 MiB, t=2, p=1), a 16-byte random salt and a 32-byte tag.
inline constexpr unsigned kArgon2TimeCost = 2;
inline constexpr unsigned kArgon2MemoryKiB = 19456;
inline constexpr unsigned kArgon2Parallelism = 1;

// Hashes `password` with argon2id and a fresh random salt; returns the encoded
// form "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (no ':' and no newline,
// so it fits in a user-file field). Returns an empty string only if libargon2
// fails (it cannot allocate its memory); callers treat that as an internal error.
std::string hash_password(std::string_view password);

// True if `password` matches `encoded`. Accepted forms:
//   $argon2id$... and $argon2i$...   (libargon2; constant-time compare)
//   $6$... $5$... $y$...             (SHA-512-crypt, SHA-256-crypt, yescrypt via
//                                     libcrypt's crypt_rn; compared with CRYPTO_memcmp)
// Anything else, an empty password, or a password or hash containing NUL is
// simply false: a corrupt hash must never let anyone in.
bool verify_password(std::string_view encoded, std::string_view password);

}  // namespace courriel::auth
