#include "auth/scram.h"

#include <algorithm>
#include <vector>

#include "auth/crypto.h"
#include "base/ascii.h"
#include "base/base64.h"

namespace courriel::auth {
namespace {

constexpr size_t kSaltSize = 16;
constexpr size_t kServerNonceBytes = 18;  // 24 base64 characters, no padding
constexpr size_t kMaxMessage = 4096;      // far above any honest client's message
constexpr std::string_view kTextPrefix = "SCRAM-SHA-256:";

// RFC 5802 §7 server-error-value strings.
constexpr std::string_view kInvalidEncoding = "invalid-encoding";
constexpr std::string_view kExtensionsNotSupported = "extensions-not-supported";
constexpr std::string_view kInvalidProof = "invalid-proof";
constexpr std::string_view kChannelBindingsDontMatch = "channel-bindings-dont-match";
constexpr std::string_view kChannelBindingNotSupported = "channel-binding-not-supported";
constexpr std::string_view kInvalidUsernameEncoding = "invalid-username-encoding";
constexpr std::string_view kOtherError = "other-error";

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// RFC 5802 §7 "printable": %x21-2B / %x2D-7E.
bool is_printable_nonce(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x21 && c <= 0x7e && c != ','; });
}

// RFC 5802 §7 "attr-val" (ALPHA "=" 1*value-char), the shape of an extension.
bool is_attr_val(std::string_view s) {
  return s.size() >= 3 && ascii::is_alpha(s[0]) && s[1] == '=';
}

// RFC 5802 §5.1 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is an
// error. Without SASLprep we accept only printable ASCII (and space) after
// decoding, which SASLprep would leave unchanged.
std::optional<std::string> decode_saslname(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '=') {
      std::string_view esc = s.substr(i + 1, 2);
      if (esc == "2C") {
        c = ',';
      } else if (esc == "3D") {
        c = '=';
      } else {
        return std::nullopt;
      }
      i += 2;
    } else if (c < 0x20 || c > 0x7e) {
      return std::nullopt;
    }
    out += c;
  }
  return out;
}

std::string xor_bytes(std::string_view a, std::string_view b) {
  std::string out(a);
  for (size_t i = 0; i < out.size() && i < b.size(); ++i) out[i] = char(out[i] ^ b[i]);
  return out;
}

std::string default_nonce() { return base64::encode(crypto::random_bytes(kServerNonceBytes)); }

}  // namespace

ScramCredentials derive_scram_credentials(std::string_view password, std::string_view salt,
                                          uint32_t iterations) {
  iterations = std::clamp<uint32_t>(iterations, 1, kScramMaxIterations);
  // RFC 5802 §3.
  const std::string salted = crypto::pbkdf2_sha256(password, salt, iterations);
  const std::string client_key = crypto::hmac_sha256(salted, "Client Key");
  return ScramCredentials{std::string(salt), iterations, crypto::sha256(client_key),
                          crypto::hmac_sha256(salted, "Server Key")};
}

ScramCredentials make_scram_credentials(std::string_view password, uint32_t iterations) {
  return derive_scram_credentials(password, crypto::random_bytes(kSaltSize), iterations);
}

std::string encode_scram_credentials(const ScramCredentials& c) {
  return std::string(kTextPrefix) + std::to_string(c.iterations) + ":" + base64::encode(c.salt) +
         ":" + base64::encode(c.stored_key) + ":" + base64::encode(c.server_key);
}

std::optional<ScramCredentials> decode_scram_credentials(std::string_view text) {
  if (!starts_with(text, kTextPrefix)) return std::nullopt;
  const auto f = split(text.substr(kTextPrefix.size()), ':');
  if (f.size() != 4) return std::nullopt;
  auto iterations = ascii::parse_u64(f[0], kScramMaxIterations);
  auto salt = base64::decode(f[1]);
  auto stored = base64::decode(f[2]);
  auto server = base64::decode(f[3]);
  if (!iterations || *iterations == 0 || !salt || salt->empty() || !stored ||
      stored->size() != crypto::kSha256Size || !server || server->size() != crypto::kSha256Size) {
    return std::nullopt;
  }
  return ScramCredentials{std::move(*salt), static_cast<uint32_t>(*iterations), std::move(*stored),
                          std::move(*server)};
}

ScramCredentials fake_scram_credentials(std::string_view username, std::string_view server_secret) {
  // Domain-separated HMACs of the secret: stable per name, unrelated between names.
  auto derive = [&](std::string_view label) {
    std::string data(label);
    data += '\0';
    data += username;
    return crypto::hmac_sha256(server_secret, data);
  };
  return ScramCredentials{derive("courriel scram fake salt").substr(0, kSaltSize),
                          kScramDefaultIterations, derive("courriel scram fake stored key"),
                          derive("courriel scram fake server key")};
}

ScramServer::ScramServer(std::function<std::string()> nonce_generator)
    : nonce_generator_(nonce_generator ? std::move(nonce_generator) : default_nonce) {}

Error ScramServer::fail(Errc code, std::string_view value, std::string_view why) {
  state_ = State::kFailed;
  error_value_ = value;
  return make_error(code, std::string(value) + ": " + std::string(why));
}

std::string ScramServer::server_error() const {
  return error_value_.empty() ? std::string() : "e=" + error_value_;
}

Result<std::string> ScramServer::client_first(std::string_view m) {
  if (state_ != State::kStart) return fail(Errc::invalid, kOtherError, "client-first out of order");
  if (m.size() > kMaxMessage) return fail(Errc::invalid, kOtherError, "client-first too long");

  // gs2-header = gs2-cbind-flag "," [ authzid ] ","   (RFC 5802 §7)
  if (starts_with(m, "p=")) {
    return fail(Errc::invalid, kChannelBindingNotSupported,
                "client requires channel binding; SCRAM-SHA-256-PLUS is not offered");
  }
  if (!starts_with(m, "n,") && !starts_with(m, "y,")) {
    return fail(Errc::invalid, kInvalidEncoding, "bad GS2 channel binding flag");
  }
  size_t end = m.find(',', 2);
  if (end == std::string_view::npos)
    return fail(Errc::invalid, kInvalidEncoding, "truncated GS2 header");
  std::string_view authzid = m.substr(2, end - 2);
  if (!authzid.empty()) {
    if (!starts_with(authzid, "a=")) {
      return fail(Errc::invalid, kInvalidEncoding, "bad authzid in GS2 header");
    }
    auto decoded = decode_saslname(authzid.substr(2));
    if (!decoded) return fail(Errc::invalid, kInvalidUsernameEncoding, "bad authzid encoding");
    authzid_ = std::move(*decoded);
  }
  gs2_header_ = m.substr(0, end + 1);

  // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
  std::string_view bare = m.substr(end + 1);
  if (starts_with(bare, "m=")) {
    return fail(Errc::invalid, kExtensionsNotSupported, "mandatory extension requested");
  }
  const auto f = split(bare, ',');
  if (f.size() < 2 || !starts_with(f[0], "n=")) {
    return fail(Errc::invalid, kInvalidEncoding, "missing n= user name");
  }
  auto user = decode_saslname(f[0].substr(2));
  if (!user) return fail(Errc::invalid, kInvalidUsernameEncoding, "bad user name encoding");
  if (!starts_with(f[1], "r=") || !is_printable_nonce(f[1].substr(2))) {
    return fail(Errc::invalid, kInvalidEncoding, "missing or bad r= nonce");
  }
  for (size_t i = 2; i < f.size(); ++i) {
    // Unknown optional extensions are ignored (RFC 5802 §7 "extensions").
    if (!is_attr_val(f[i])) return fail(Errc::invalid, kInvalidEncoding, "bad extension");
  }
  client_first_bare_ = bare;
  client_nonce_ = f[1].substr(2);
  state_ = State::kGotClientFirst;
  return std::move(*user);
}

std::string ScramServer::server_first(const ScramCredentials& creds) {
  if (state_ != State::kGotClientFirst) {
    fail(Errc::invalid, kOtherError, "server-first out of order");
    return {};
  }
  if (creds.iterations == 0 || creds.salt.empty() ||
      creds.stored_key.size() != crypto::kSha256Size ||
      creds.server_key.size() != crypto::kSha256Size) {
    fail(Errc::internal, kOtherError, "unusable SCRAM credentials");
    return {};
  }
  std::string server_nonce = nonce_generator_();
  if (!is_printable_nonce(server_nonce)) {
    fail(Errc::internal, kOtherError, "bad server nonce");
    return {};
  }
  creds_ = creds;
  nonce_ = client_nonce_ + server_nonce;
  server_first_ =
      "r=" + nonce_ + ",s=" + base64::encode(creds.salt) + ",i=" + std::to_string(creds.iterations);
  state_ = State::kSentServerFirst;
  return server_first_;
}

Result<std::string> ScramServer::client_final(std::string_view m) {
  if (state_ != State::kSentServerFirst) {
    return fail(Errc::invalid, kOtherError, "client-final out of order");
  }
  if (m.size() > kMaxMessage) return fail(Errc::invalid, kOtherError, "client-final too long");

  // client-final-message = client-final-message-without-proof "," proof
  size_t last = m.rfind(',');
  if (last == std::string_view::npos || !starts_with(m.substr(last + 1), "p=")) {
    return fail(Errc::invalid, kInvalidEncoding, "missing p= proof");
  }
  std::string_view without_proof = m.substr(0, last);
  const auto f = split(without_proof, ',');
  if (f.size() < 2 || !starts_with(f[0], "c=") || !starts_with(f[1], "r=")) {
    return fail(Errc::invalid, kInvalidEncoding, "expected c= and r=");
  }
  for (size_t i = 2; i < f.size(); ++i) {
    if (!is_attr_val(f[i])) return fail(Errc::invalid, kInvalidEncoding, "bad extension");
  }
  auto cbind = base64::decode(f[0].substr(2));
  if (!cbind) return fail(Errc::invalid, kInvalidEncoding, "bad base64 in c=");
  // RFC 5802 §7: cbind-input = gs2-header, with no cbind-data for "n" and "y".
  if (*cbind != gs2_header_) {
    return fail(Errc::invalid, kChannelBindingsDontMatch, "c= does not repeat the GS2 header");
  }
  if (f[1].substr(2) != nonce_) return fail(Errc::invalid, kOtherError, "nonce mismatch");
  auto proof = base64::decode(m.substr(last + 3));
  if (!proof) return fail(Errc::invalid, kInvalidEncoding, "bad base64 in p=");
  if (proof->size() != crypto::kSha256Size) {
    return fail(Errc::invalid, kInvalidEncoding, "proof has the wrong length");
  }

  // RFC 5802 §3: ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage),
  // and the proof holds if H(ClientKey) == StoredKey.
  std::string auth_message = client_first_bare_;
  auth_message += ',';
  auth_message += server_first_;
  auth_message += ',';
  auth_message += without_proof;
  const std::string client_key =
      xor_bytes(*proof, crypto::hmac_sha256(creds_.stored_key, auth_message));
  if (!crypto::constant_time_equal(crypto::sha256(client_key), creds_.stored_key)) {
    return fail(Errc::auth_failed, kInvalidProof, "client proof does not verify");
  }
  state_ = State::kDone;
  return "v=" + base64::encode(crypto::hmac_sha256(creds_.server_key, auth_message));
}

}  // namespace courriel::auth
