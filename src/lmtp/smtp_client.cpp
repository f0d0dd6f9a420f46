#include "lmtp/smtp_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/ascii.h"
#include "lmtp/proto/smtp.h"

namespace courriel::lmtp {
namespace {

constexpr size_t kChunk = 64 * 1024;

class Connection {
 public:
  explicit Connection(const SmtpRelay& relay) : relay_(relay) {}
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status connect() {
    const net::ListenAddress& a = relay_.address;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (a.is_unix()) {
      auto* un = reinterpret_cast<sockaddr_un*>(&ss);
      un->sun_family = AF_UNIX;
      if (a.unix_path.size() >= sizeof un->sun_path) return fail(Errc::invalid, "socket path too long");
      std::memcpy(un->sun_path, a.unix_path.c_str(), a.unix_path.size() + 1);
      len = sizeof(sockaddr_un);
    } else if (auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
               ::inet_pton(AF_INET, a.host.c_str(), &in4->sin_addr) == 1) {
      in4->sin_family = AF_INET;
      in4->sin_port = htons(a.port);
      len = sizeof(sockaddr_in);
    } else if (auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
               ::inet_pton(AF_INET6, a.host.c_str(), &in6->sin6_addr) == 1) {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(a.port);
      len = sizeof(sockaddr_in6);
    } else {
      return fail(Errc::invalid, "not a literal address");
    }
    fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) return sys_fail("socket");
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      if (errno != EINPROGRESS) return sys_fail("connect");
      pollfd p{fd_, POLLOUT, 0};
      int n = ::poll(&p, 1, int(relay_.timeout.count()));
      if (n == 0) return fail(Errc::temporary, "connect timed out");
      int err = 0;
      socklen_t errlen = sizeof err;
      if (n < 0 || ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &errlen) != 0) return sys_fail("connect");
      if (err != 0) {
        errno = err;
        return sys_fail("connect");
      }
    }
    // Blocking from now on, each read and write bounded by the timeout.
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    timeval tv{};
    tv.tv_sec = relay_.timeout.count() / 1000;
    tv.tv_usec = (relay_.timeout.count() % 1000) * 1000;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return {};
  }

  Status send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_fail("send");
      bytes.remove_prefix(size_t(n));
    }
    return {};
  }

  Result<SmtpReply> reply() {
    for (;;) {
      ReplyStep step = parse_reply(in_);
      if (step.state == ReplyStep::State::bad) return fail(Errc::temporary, step.error);
      if (step.state == ReplyStep::State::reply) {
        in_.erase(0, step.consumed);
        return std::move(step.reply);
      }
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_fail("recv");
      if (n == 0) return fail(Errc::temporary, "connection closed");
      in_.append(buf, size_t(n));
    }
  }

  // Sends `command` (CRLF added) and reads its reply.
  Result<SmtpReply> command(const std::string& command) {
    if (Status s = send(command + "\r\n"); !s) return s.error();
    return reply();
  }

  Error fail(Errc code, const std::string& what) const {
    return make_error(code, "relay " + relay_.address.to_string() + ": " + what);
  }

 private:
  Error sys_fail(const char* what) const {
    bool timeout = errno == EAGAIN || errno == EWOULDBLOCK;
    return fail(Errc::temporary, std::string(what) + ": " + (timeout ? "timed out" : std::strerror(errno)));
  }

  const SmtpRelay& relay_;
  int fd_ = -1;
  std::string in_;
};

bool is_positive(const SmtpReply& r) { return r.code >= 200 && r.code < 400; }

// A negative reply as an error: 4xx temporary, 5xx permanent (RFC 5321 §4.2.1).
Error refused(const Connection& c, std::string_view step, const SmtpReply& r) {
  return c.fail(r.code >= 500 ? Errc::permission_denied : Errc::temporary,
                std::string(step) + ": " + std::to_string(r.code) + " " + ascii::printable(r.text(), 200));
}

// Envelope addresses go between angle brackets on a command line.
bool safe_path(std::string_view address) {
  for (char c : address)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '<' || c == '>') return false;
  return address.size() <= 256;
}

Status send_body(Connection& c, const OutgoingMail& mail) {
  DotStuffer stuffer;
  std::string out;
  stuffer.feed(mail.head, out);
  if (!mail.body_file.empty()) {
    int fd = ::open(mail.body_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return make_error(Errc::internal, "cannot open " + mail.body_file.string() + ": " + std::strerror(errno));
    std::string chunk(kChunk, '\0');
    for (;;) {
      ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        Error e = make_error(Errc::internal, "cannot read " + mail.body_file.string() + ": " + std::strerror(errno));
        ::close(fd);
        return e;
      }
      if (n == 0) break;
      stuffer.feed(std::string_view(chunk.data(), size_t(n)), out);
      if (out.size() >= kChunk) {
        if (Status s = c.send(out); !s) {
          ::close(fd);
          return s;
        }
        out.clear();
      }
    }
    ::close(fd);
  }
  stuffer.finish(out);
  return c.send(out);
}

}  // namespace

Result<SendReport> send_mail(const SmtpRelay& relay, const OutgoingMail& mail) {
  if (!safe_path(mail.sender)) return make_error(Errc::invalid, "bad sender address");
  for (const std::string& r : mail.recipients)
    if (r.empty() || !safe_path(r)) return make_error(Errc::invalid, "bad recipient address");
  if (mail.recipients.empty()) return make_error(Errc::invalid, "no recipient");

  Connection c(relay);
  if (Status s = c.connect(); !s) return s.error();
  auto greeting = c.reply();
  if (!greeting) return greeting.error();
  if (greeting->code != 220) return refused(c, "greeting", *greeting);

  auto hello = c.command("EHLO " + relay.helo);
  if (!hello) return hello.error();
  bool eight_bit = false;
  if (hello->code == 250) {
    eight_bit = has_extension(*hello, "8BITMIME");
  } else {
    hello = c.command("HELO " + relay.helo);  // an SMTP server without ESMTP (§4.1.4)
    if (!hello) return hello.error();
    if (hello->code != 250) return refused(c, "HELO", *hello);
  }

  // RFC 6152: declare 8-bit content when the relay takes it.
  auto from = c.command("MAIL FROM:<" + mail.sender + ">" + (eight_bit ? " BODY=8BITMIME" : ""));
  if (!from) return from.error();
  if (!is_positive(*from)) return refused(c, "MAIL FROM", *from);

  SendReport report;
  std::optional<Error> rcpt_error;
  for (const std::string& r : mail.recipients) {
    auto to = c.command("RCPT TO:<" + r + ">");
    if (!to) return to.error();
    if (!is_positive(*to)) {
      report.refused.push_back(r);
      // A temporary refusal of any recipient makes "all refused" temporary.
      if (!rcpt_error || rcpt_error->code != Errc::temporary) rcpt_error = refused(c, "RCPT TO", *to);
    }
  }
  if (report.refused.size() == mail.recipients.size()) {
    (void)c.command("QUIT");
    return *rcpt_error;
  }

  auto data = c.command("DATA");
  if (!data) return data.error();
  if (data->code != 354) return refused(c, "DATA", *data);
  if (Status s = send_body(c, mail); !s) return s.error();
  auto done = c.reply();
  if (!done) return done.error();
  if (done->code != 250) return refused(c, "end of data", *done);
  (void)c.command("QUIT");  // the message is the relay's now; a lost QUIT reply changes nothing
  return report;
}

}  // namespace courriel::lmtp
