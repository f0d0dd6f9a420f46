#include "auth/scram.h"

#include <gtest/gtest.h>

#include "auth/crypto.h"
#include "base/base64.h"

namespace courriel::auth {
namespace {

// The RFC 7677 §3 example.
constexpr std::string_view kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramCredentials rfc_credentials() {
  return derive_scram_credentials("pencil", *base64::decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
}

ScramServer fixed_nonce_server() {
  return ScramServer([] { return std::string(kServerNonce); });
}

// What a client computes (RFC 5802 §3): ClientKey XOR HMAC(StoredKey, AuthMessage).
std::string client_proof(std::string_view password, const ScramCredentials& creds,
                         std::string_view auth_message) {
  std::string salted = crypto::pbkdf2_sha256(password, creds.salt, creds.iterations);
  std::string client_key = crypto::hmac_sha256(salted, "Client Key");
  std::string sig = crypto::hmac_sha256(crypto::sha256(client_key), auth_message);
  for (size_t i = 0; i < sig.size(); ++i) client_key[i] = char(client_key[i] ^ sig[i]);
  return base64::encode(client_key);
}

// Runs client_first and server_first; returns the final message for `password`.
std::string client_final_for(ScramServer& server, std::string_view client_first,
                             const ScramCredentials& creds, std::string_view password,
                             std::string_view cbind = "biws", std::string_view extensions = "") {
  EXPECT_TRUE(server.client_first(client_first).ok());
  std::string server_first = server.server_first(creds);
  std::string nonce = server_first.substr(2, server_first.find(',') - 2);
  std::string without_proof = "c=" + std::string(cbind) + ",r=" + nonce + std::string(extensions);
  std::string bare(client_first.substr(client_first.find("n=", 2)));
  std::string auth_message = bare + "," + server_first + "," + without_proof;
  return without_proof + ",p=" + client_proof(password, creds, auth_message);
}

TEST(Scram, Rfc7677Example) {
  ScramServer server = fixed_nonce_server();
  auto user = server.client_first(kClientFirst);
  ASSERT_TRUE(user.ok()) << user.error().detail;
  EXPECT_EQ(*user, "user");
  EXPECT_EQ(server.authzid(), "");
  EXPECT_EQ(server.server_first(rfc_credentials()), kServerFirst);
  auto final = server.client_final(kClientFinal);
  ASSERT_TRUE(final.ok()) << final.error().detail;
  EXPECT_EQ(*final, kServerFinal);
  EXPECT_TRUE(server.succeeded());
  EXPECT_EQ(server.server_error(), "");
}

TEST(Scram, AuthzidAndYFlag) {
  ScramServer server;
  auto creds = make_scram_credentials("secret", 4096);
  std::string final = client_final_for(server, "y,a=ad=3Dmin,n=bob,r=abc", creds, "secret",
                                       base64::encode("y,a=ad=3Dmin,"));
  auto result = server.client_final(final);
  ASSERT_TRUE(result.ok()) << result.error().detail;
  EXPECT_EQ(server.authzid(), "ad=min");
}

TEST(Scram, DefaultNonceIsFreshAndExtendsClientNonce) {
  ScramServer a, b;
  ASSERT_TRUE(a.client_first("n,,n=u,r=cnonce").ok());
  ASSERT_TRUE(b.client_first("n,,n=u,r=cnonce").ok());
  auto creds = rfc_credentials();
  std::string fa = a.server_first(creds), fb = b.server_first(creds);
  EXPECT_EQ(fa.substr(0, 8), "r=cnonce");
  EXPECT_EQ(fa.find(','), 8u + 24u);  // 18 random bytes in base64
  EXPECT_NE(fa, fb);
}

struct Rejection {
  std::string_view message;
  std::string_view server_error;
};

TEST(Scram, ClientFirstRejections) {
  const Rejection cases[] = {
      {"p=tls-unique,,n=user,r=abc", "e=channel-binding-not-supported"},
      {"x,,n=user,r=abc", "e=invalid-encoding"},
      {"n", "e=invalid-encoding"},
      {"n,n=user,r=abc", "e=invalid-encoding"},  // no authzid separator
      {"n,b=x,n=user,r=abc", "e=invalid-encoding"},
      {"n,,r=abc", "e=invalid-encoding"},  // missing n=
      {"n,,n=user", "e=invalid-encoding"},
      {"n,,n=,r=abc", "e=invalid-username-encoding"},
      {"n,,m=ext,n=user,r=abc", "e=extensions-not-supported"},
      {"n,,n=user,r=", "e=invalid-encoding"},
      {"n,,n=user,r=abc,1=x", "e=invalid-encoding"},
      {"n,,n=us=41er,r=abc", "e=invalid-username-encoding"},
      {"n,,n=user=,r=abc", "e=invalid-username-encoding"},
      {"n,,n=us=2cer,r=abc", "e=invalid-username-encoding"},  // escapes are upper case
      {"n,,n=\xC3\xA9t\xC3\xA9,r=abc", "e=invalid-username-encoding"},
      {"n,a=x=4,n=user,r=abc", "e=invalid-username-encoding"},
  };
  for (const auto& c : cases) {
    ScramServer server;
    auto r = server.client_first(c.message);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.code(), Errc::invalid) << c.message;
    EXPECT_EQ(server.server_error(), c.server_error) << c.message;
    EXPECT_EQ(r.error().detail.substr(0, c.server_error.size() - 2), c.server_error.substr(2));
    // A failed exchange stays failed.
    EXPECT_EQ(server.server_first(rfc_credentials()), "");
  }
  ScramServer server;
  EXPECT_FALSE(server.client_first(std::string(5000, 'n')).ok());
}

TEST(Scram, UserNameEscapesAndExtensions) {
  ScramServer server;
  auto r = server.client_first("n,,n=a=2Cb=3Dc,r=abc,x=ignored");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(*r, "a,b=c");
}

TEST(Scram, ClientFinalRejections) {
  const std::string nonce = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  const std::string proof = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  struct Case {
    std::string message;
    Errc code;
    std::string_view server_error;
  } cases[] = {
      {"c=biws," + nonce + ",p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Errc::auth_failed,
       "e=invalid-proof"},
      {"c=biws,r=rOprNGfwEbeRWgbNEkqOwrong," + proof, Errc::invalid, "e=other-error"},
      {"c=eSws," + nonce + "," + proof, Errc::invalid, "e=channel-bindings-dont-match"},
      {"c=biw," + nonce + "," + proof, Errc::invalid, "e=invalid-encoding"},
      {"c=biws," + nonce + ",p=not base64!", Errc::invalid, "e=invalid-encoding"},
      {"c=biws," + nonce + ",p=AAAA", Errc::invalid, "e=invalid-encoding"},
      {"c=biws," + nonce, Errc::invalid, "e=invalid-encoding"},
      {nonce + ",c=biws," + proof, Errc::invalid, "e=invalid-encoding"},
      {"c=biws," + nonce + ",,=x," + proof, Errc::invalid, "e=invalid-encoding"},
  };
  for (const auto& c : cases) {
    ScramServer server = fixed_nonce_server();
    ASSERT_TRUE(server.client_first(kClientFirst).ok());
    server.server_first(rfc_credentials());
    auto r = server.client_final(c.message);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.code(), c.code) << c.message;
    EXPECT_EQ(server.server_error(), c.server_error) << c.message;
    EXPECT_FALSE(server.succeeded());
  }
  // Optional extensions before the proof are ignored, but the proof covers them.
  ScramServer server = fixed_nonce_server();
  std::string final =
      client_final_for(server, kClientFirst, rfc_credentials(), "pencil", "biws", ",x=1,y=2");
  auto r = server.client_final(final);
  EXPECT_TRUE(r.ok()) << r.error().detail;
}

TEST(Scram, WrongPasswordFails) {
  ScramServer server;
  auto creds = make_scram_credentials("right", 4096);
  auto r = server.client_final(client_final_for(server, "n,,n=u,r=n0nce", creds, "wrong"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::auth_failed);
  EXPECT_EQ(server.server_error(), "e=invalid-proof");
}

TEST(Scram, OutOfOrderCalls) {
  {
    ScramServer server;
    EXPECT_EQ(server.server_first(rfc_credentials()), "");
    EXPECT_EQ(server.server_error(), "e=other-error");
  }
  {
    ScramServer server;
    ASSERT_TRUE(server.client_first(kClientFirst).ok());
    EXPECT_FALSE(server.client_final(kClientFinal).ok());  // before server_first
  }
  {
    ScramServer server = fixed_nonce_server();
    ASSERT_TRUE(server.client_first(kClientFirst).ok());
    EXPECT_FALSE(server.client_first(kClientFirst).ok());
  }
  {
    ScramServer server = fixed_nonce_server();
    ASSERT_TRUE(server.client_first(kClientFirst).ok());
    server.server_first(rfc_credentials());
    ASSERT_TRUE(server.client_final(kClientFinal).ok());
    EXPECT_FALSE(server.client_final(kClientFinal).ok());  // no replay on the same exchange
  }
  {
    ScramServer server;  // unusable credentials (an imported user without SCRAM)
    ASSERT_TRUE(server.client_first(kClientFirst).ok());
    EXPECT_EQ(server.server_first(ScramCredentials{}), "");
  }
  {
    ScramServer server([] { return std::string("bad,nonce"); });
    ASSERT_TRUE(server.client_first(kClientFirst).ok());
    EXPECT_EQ(server.server_first(rfc_credentials()), "");
  }
}

TEST(Scram, CredentialsTextRoundTrip) {
  ScramCredentials creds = rfc_credentials();
  std::string text = encode_scram_credentials(creds);
  EXPECT_EQ(text.substr(0, 19), "SCRAM-SHA-256:4096:");
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(decode_scram_credentials(text), creds);

  const std::string key = base64::encode(std::string(32, 'k'));
  EXPECT_TRUE(decode_scram_credentials("SCRAM-SHA-256:1:c2FsdA==:" + key + ":" + key));
  for (const std::string& bad : {
           std::string(""),
           "SCRAM-SHA-1:4096:c2FsdA==:" + key + ":" + key,
           "SCRAM-SHA-256:0:c2FsdA==:" + key + ":" + key,
           "SCRAM-SHA-256:x:c2FsdA==:" + key + ":" + key,
           "SCRAM-SHA-256:999999999999:c2FsdA==:" + key + ":" + key,
           "SCRAM-SHA-256:4096::" + key + ":" + key,
           "SCRAM-SHA-256:4096:c2FsdA=:" + key + ":" + key,
           "SCRAM-SHA-256:4096:c2FsdA==:" + key,
           "SCRAM-SHA-256:4096:c2FsdA==:" + key + ":" + key + ":" + key,
           "SCRAM-SHA-256:4096:c2FsdA==:c2FsdA==:" + key,
       }) {
    EXPECT_FALSE(decode_scram_credentials(bad)) << bad;
  }
}

TEST(Scram, MakeCredentialsUsesRandomSalt) {
  ScramCredentials a = make_scram_credentials("pw", 4096);
  ScramCredentials b = make_scram_credentials("pw", 4096);
  EXPECT_EQ(a.salt.size(), 16u);
  EXPECT_NE(a.salt, b.salt);
  EXPECT_EQ(a.iterations, 4096u);
  EXPECT_EQ(a, derive_scram_credentials("pw", a.salt, 4096));
  EXPECT_EQ(make_scram_credentials("pw").iterations, kScramDefaultIterations);
}

TEST(Scram, FakeCredentialsAreStableAndNeverVerify) {
  ScramCredentials a = fake_scram_credentials("ghost", "secret");
  EXPECT_EQ(a, fake_scram_credentials("ghost", "secret"));
  EXPECT_NE(a.salt, fake_scram_credentials("ghost2", "secret").salt);
  EXPECT_NE(a.salt, fake_scram_credentials("ghost", "other").salt);
  EXPECT_EQ(a.salt.size(), 16u);
  EXPECT_EQ(a.iterations, kScramDefaultIterations);
  EXPECT_TRUE(decode_scram_credentials(encode_scram_credentials(a)));

  ScramServer server;
  auto r = server.client_final(client_final_for(server, "n,,n=ghost,r=abc", a, "guess"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::auth_failed);
  EXPECT_EQ(server.server_error(), "e=invalid-proof");  // as for a real user
}

}  // namespace
}  // namespace courriel::auth
