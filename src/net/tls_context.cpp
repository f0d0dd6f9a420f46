#include "net/tls_context.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace courriel::net {
namespace {

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

// Opens `path` for writing with the given mode, as a stdio stream for PEM_write.
Result<FILE*> open_for_write(const std::filesystem::path& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error(Errc::internal, "cannot write " + path.string());
  FILE* f = fdopen(fd, "w");
  if (!f) {
    ::close(fd);
    return make_error(Errc::internal, "cannot write " + path.string());
  }
  return f;
}

Status write_pem(const std::filesystem::path& path, mode_t mode, auto&& write) {
  auto f = open_for_write(path, mode);
  if (!f) return f.error();
  bool ok = write(*f) == 1;
  ok = (fflush(*f) == 0) && (fsync(fileno(*f)) == 0) && ok;
  fclose(*f);
  if (!ok) return make_error(Errc::internal, "cannot write " + path.string() + ": " + openssl_error());
  return {};
}

}  // namespace

Status generate_self_signed(const std::filesystem::path& cert_file,
                            const std::filesystem::path& key_file, const std::string& hostname) {
  // P-256 ECDSA: every current client accepts it and it is made in a millisecond.
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return make_error(Errc::internal, "key generation failed: " + openssl_error());
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return make_error(Errc::internal, openssl_error());
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365 * 5);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Courriel self-signed"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  std::string san = "DNS:" + hostname + ",IP:127.0.0.1,IP:::1";
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str())) {
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return make_error(Errc::internal, "signing failed: " + openssl_error());

  std::error_code ec;
  std::filesystem::create_directories(key_file.parent_path(), ec);
  std::filesystem::create_directories(cert_file.parent_path(), ec);
  if (auto s = write_pem(key_file, 0600, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      });
      !s)
    return s;
  return write_pem(cert_file, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
}

Result<std::shared_ptr<asio::ssl::context>> make_server_tls_context(const TlsSettings& s) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool have_cert = fs::exists(s.cert_file, ec), have_key = fs::exists(s.key_file, ec);
  if (!have_cert && !have_key && s.generate_if_missing) {
    if (auto st = generate_self_signed(s.cert_file, s.key_file, s.hostname); !st) return st.error();
  } else if (!have_cert) {
    return make_error(Errc::not_found, "TLS certificate " + s.cert_file.string() + " does not exist");
  } else if (!have_key) {
    return make_error(Errc::not_found, "TLS key " + s.key_file.string() + " does not exist");
  }

  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Idle connections keep no TLS read/write buffers (DESIGN §5: small idle sessions).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, s.cert_file.c_str()) != 1)
    return make_error(Errc::invalid,
                      "cannot load TLS certificate " + s.cert_file.string() + ": " + openssl_error());
  if (SSL_CTX_use_PrivateKey_file(native, s.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return make_error(Errc::invalid,
                      "cannot load TLS key " + s.key_file.string() + ": " + openssl_error());
  if (SSL_CTX_check_private_key(native) != 1)
    return make_error(Errc::invalid, "TLS key " + s.key_file.string() +
                                         " does not match certificate " + s.cert_file.string());
  return ctx;
}

}  // namespace courriel::net
