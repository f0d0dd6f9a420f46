#include "auth/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>

namespace courriel::auth::crypto {
namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

[[noreturn]] void die(const char* what) {
  // No logger below app/: stderr is the last resort for a broken libcrypto.
  std::fprintf(stderr, "courriel: fatal: OpenSSL %s failed\n", what);
  std::abort();
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string out(kSha256Size, '\0');
  SHA256(bytes(data), data.size(), bytes(out));
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(),
            bytes(out), &len) ||
      len != kSha256Size) {
    die("HMAC");
  }
  return out;
}

std::string pbkdf2_sha256(std::string_view password, std::string_view salt, uint32_t iterations) {
  std::string out(kSha256Size, '\0');
  if (iterations == 0) iterations = 1;
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), bytes(salt),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out.size()), bytes(out)) != 1) {
    die("PKCS5_PBKDF2_HMAC");
  }
  return out;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n && RAND_bytes(bytes(out), static_cast<int>(n)) != 1) die("RAND_bytes");
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace courriel::auth::crypto
