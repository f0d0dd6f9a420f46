#include "lmtp/smtp_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

using namespace courriel;
using namespace courriel::lmtp;

namespace {

// A one-connection SMTP server on 127.0.0.1 with scripted replies: `replies`
// maps a command's verb ("EHLO", "RCPT" ...) to its reply; the rest get 250.
using Replies = std::map<std::string, std::string>;

class FakeRelay {
 public:
  explicit FakeRelay(Replies replies, std::string greeting = "220 fake ESMTP")
      : replies_(std::move(replies)), greeting_(std::move(greeting)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 1);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeRelay() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  SmtpRelay relay() const {
    return SmtpRelay{net::ListenAddress{"127.0.0.1", port_, ""}, "courriel.test", std::chrono::milliseconds(5000)};
  }
  // Joins the server thread; then the transcript is complete.
  const std::vector<std::string>& commands() {
    if (thread_.joinable()) thread_.join();
    return commands_;
  }
  const std::string& data() {
    if (thread_.joinable()) thread_.join();
    return data_;
  }

 private:
  void serve() {
    int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    auto say = [&](const std::string& s) { ::send(c, (s + "\r\n").data(), s.size() + 2, MSG_NOSIGNAL); };
    say(greeting_);
    std::string buf;
    bool in_data = false;
    for (;;) {
      char tmp[4096];
      ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) break;
      buf.append(tmp, size_t(n));
      for (;;) {
        if (in_data) {
          auto end = buf.find("\r\n.\r\n");
          if (end == std::string::npos) break;
          data_ = buf.substr(0, end + 2);
          buf.erase(0, end + 5);
          in_data = false;
          say(reply_for("."));
          continue;
        }
        auto lf = buf.find("\r\n");
        if (lf == std::string::npos) break;
        std::string line = buf.substr(0, lf);
        buf.erase(0, lf + 2);
        commands_.push_back(line);
        std::string verb = line.substr(0, line.find_first_of(" :"));
        std::string r = reply_for(verb);
        say(r);
        if (verb == "DATA" && r.starts_with("354")) in_data = true;
        if (verb == "QUIT") {
          ::close(c);
          return;
        }
      }
    }
    ::close(c);
  }
  std::string reply_for(const std::string& verb) {
    auto it = replies_.find(verb);
    if (it != replies_.end()) return it->second;
    if (verb == "DATA") return "354 go ahead";
    if (verb == "QUIT") return "221 bye";
    return "250 ok";
  }

  Replies replies_;
  std::string greeting_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::vector<std::string> commands_;
  std::string data_;
};

}  // namespace

TEST(SmtpClient, SendsEnvelopeAndDotStuffedMessage) {
  std::string templ = (std::filesystem::temp_directory_path() / "smtp-test-XXXXXX").string();
  ASSERT_NE(mkdtemp(templ.data()), nullptr);
  std::filesystem::path body = std::filesystem::path(templ) / "body";
  std::ofstream(body, std::ios::binary) << "Subject: x\r\n\r\n.leading dot\r\nend";

  FakeRelay fake(Replies{{"EHLO", "250-fake\r\n250-PIPELINING\r\n250 8BITMIME"}, {"RCPT", "250 ok"}});
  auto r = send_mail(fake.relay(), OutgoingMail{"alice@example.net", {"carol@example.com"},
                                                "Delivered-To: bob@example.org\r\n", body});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(r->refused.empty());
  EXPECT_EQ(fake.commands(), (std::vector<std::string>{"EHLO courriel.test",
                                                       "MAIL FROM:<alice@example.net> BODY=8BITMIME",
                                                       "RCPT TO:<carol@example.com>", "DATA", "QUIT"}));
  EXPECT_EQ(fake.data(), "Delivered-To: bob@example.org\r\nSubject: x\r\n\r\n..leading dot\r\nend\r\n");
  std::filesystem::remove_all(templ);
}

TEST(SmtpClient, NullSenderHeloFallbackAndRefusals) {
  {
    FakeRelay fake(Replies{{"EHLO", "502 no ESMTP here"}, {"RCPT", "550 5.1.1 unknown"}});
    auto r = send_mail(fake.relay(), OutgoingMail{"", {"x@example.com"}, "Subject: v\r\n\r\nhi\r\n", {}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.code(), Errc::permission_denied);
    EXPECT_EQ(fake.commands(), (std::vector<std::string>{"EHLO courriel.test", "HELO courriel.test",
                                                         "MAIL FROM:<>", "RCPT TO:<x@example.com>", "QUIT"}));
  }
  {
    FakeRelay fake(Replies{{"MAIL", "451 4.3.0 try later"}});
    auto r = send_mail(fake.relay(), OutgoingMail{"a@b.c", {"x@example.com"}, "hi\r\n", {}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.code(), Errc::temporary);
    fake.commands();
  }
  {
    FakeRelay fake(Replies{}, "554 go away");
    auto r = send_mail(fake.relay(), OutgoingMail{"a@b.c", {"x@example.com"}, "hi\r\n", {}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.code(), Errc::permission_denied);
  }
  // Bad addresses never reach the wire.
  SmtpRelay nowhere{net::ListenAddress{"127.0.0.1", 1, ""}};
  EXPECT_EQ(send_mail(nowhere, OutgoingMail{"a@b.c\r\nRCPT TO:<evil>", {"x@y.z"}, "", {}}).code(), Errc::invalid);
  EXPECT_EQ(send_mail(nowhere, OutgoingMail{"", {}, "", {}}).code(), Errc::invalid);
}

TEST(SmtpClient, RelayDownIsTemporary) {
  // A port nobody listens on: bind one, close it, then connect.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  SmtpRelay relay{net::ListenAddress{"127.0.0.1", ntohs(a.sin_port), ""}};
  auto r = send_mail(relay, OutgoingMail{"a@b.c", {"x@y.z"}, "hi\r\n", {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.code(), Errc::temporary);
}
