#include "auth/password_hash.h"

#include <argon2.h>
#include <crypt.h>

#include <memory>

#include "auth/crypto.h"

namespace courriel::auth {
namespace {

constexpr size_t kSaltSize = 16;
constexpr size_t kTagSize = 32;

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool verify_crypt(const std::string& encoded, const std::string& password) {
  // struct crypt_data is ~32 KiB: keep it off the (possibly small) thread stack.
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_rn(password.c_str(), encoded.c_str(), data.get(), sizeof(crypt_data));
  // crypt_rn returns NULL on failure (never the "*0" failure token).
  return out != nullptr && crypto::constant_time_equal(out, encoded);
}

}  // namespace

std::string hash_password(std::string_view password) {
  const std::string salt = crypto::random_bytes(kSaltSize);
  const size_t len = argon2_encodedlen(kArgon2TimeCost, kArgon2MemoryKiB, kArgon2Parallelism,
                                       kSaltSize, kTagSize, Argon2_id);
  std::string encoded(len, '\0');  // len counts the terminating NUL
  if (argon2id_hash_encoded(kArgon2TimeCost, kArgon2MemoryKiB, kArgon2Parallelism, password.data(),
                            password.size(), salt.data(), salt.size(), kTagSize, encoded.data(),
                            encoded.size()) != ARGON2_OK) {
    return {};
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool verify_password(std::string_view encoded, std::string_view password) {
  if (password.empty() || encoded.find('\0') != std::string_view::npos ||
      password.find('\0') != std::string_view::npos) {
    return false;
  }
  const std::string enc(encoded);
  if (starts_with(encoded, "$argon2id$")) {
    return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
  }
  if (starts_with(encoded, "$argon2i$")) {
    return argon2i_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
  }
  if (starts_with(encoded, "$6$") || starts_with(encoded, "$5$") || starts_with(encoded, "$y$")) {
    return verify_crypt(enc, std::string(password));
  }
  return false;
}

}  // namespace courriel::auth
