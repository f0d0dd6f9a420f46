// Server TLS configuration (RFC 8314 implicit TLS, RFC 2595/9051 STARTTLS).
//
// make_server_tls_context() loads a certificate chain and key, or, when
// asked, generates a self-signed pair on first start so that the embedded
// default serves TLS with no setup. TLS 1.2 is the minimum version.
// The returned context is shared by every connection (OpenSSL contexts are
// safe for concurrent use once configured).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <asio/ssl/context.hpp>

#include "base/result.h"

namespace courriel::net {

struct TlsSettings {
  std::filesystem::path cert_file;  // PEM chain, leaf first
  std::filesystem::path key_file;   // PEM private key
  bool generate_if_missing = false; // make a self-signed pair when both files are absent
  std::string hostname = "localhost";  // subject/SAN of a generated certificate
};

// Errors name the file and what is wrong with it (unreadable, not PEM, key does
// not match the certificate) so that the server refuses to start with a clear message.
Result<std::shared_ptr<asio::ssl::context>> make_server_tls_context(const TlsSettings& settings);

// Writes a new self-signed certificate and key (0600) for `hostname`.
Status generate_self_signed(const std::filesystem::path& cert_file,
                            const std::filesystem::path& key_file, const std::string& hostname);

}  // namespace courriel::net
