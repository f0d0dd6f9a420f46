#include "net/transport.h"

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <cstring>

#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>

namespace courriel::net {
namespace {
constexpr auto kUseAwaitable = asio::experimental::as_tuple(asio::use_awaitable);
}

Transport::Transport(Socket socket) : socket_(std::move(socket)) {
  std::error_code ec;
  auto remote = socket_.remote_endpoint(ec);
  if (ec) return;
  int family = remote.data()->sa_family;
  if (family == AF_UNIX) {
    peer_ = peer_ip_ = "unix";
    loopback_ = true;
    return;
  }
  asio::ip::tcp::endpoint tcp;
  if ((family != AF_INET && family != AF_INET6) || remote.size() > tcp.capacity()) return;
  std::memcpy(tcp.data(), remote.data(), remote.size());
  tcp.resize(remote.size());
  auto addr = tcp.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped())
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  peer_ip_ = addr.to_string();
  peer_ = (addr.is_v6() ? "[" + peer_ip_ + "]" : peer_ip_) + ":" + std::to_string(tcp.port());
  loopback_ = addr.is_loopback();
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

Transport::~Transport() = default;

asio::awaitable<size_t> Transport::read_some(asio::mutable_buffer buf, std::error_code& ec) {
  // A stop requested while no read was pending (say, during a write) must
  // not be missed by the read that follows.
  if (stop_reason_ != StopReason::none) {
    ec = asio::error::operation_aborted;
    co_return 0;
  }
  auto [e, n] = tls_ ? co_await tls_->async_read_some(buf, kUseAwaitable)
                     : co_await socket_.async_read_some(buf, kUseAwaitable);
  ec = e;
  co_return n;
}

asio::awaitable<void> Transport::write(asio::const_buffer buf, std::error_code& ec) {
  auto [e, n] = tls_ ? co_await asio::async_write(*tls_, buf, kUseAwaitable)
                     : co_await asio::async_write(socket_, buf, kUseAwaitable);
  (void)n;
  ec = e;
}

asio::awaitable<void> Transport::start_tls(asio::ssl::context& ctx, std::error_code& ec) {
  tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, ctx);
  auto [e] = co_await tls_->async_handshake(asio::ssl::stream_base::server, kUseAwaitable);
  ec = e;
}

asio::awaitable<void> Transport::shutdown() {
  if (tls_ && socket_.is_open() && stop_reason_ != StopReason::timeout) {
    // Best effort: send close_notify, but a peer that does not answer within
    // a second must not keep the connection (and the server's stop) waiting.
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(socket_.get_executor(), std::chrono::seconds(1));
    co_await (tls_->async_shutdown(kUseAwaitable) || timer.async_wait(kUseAwaitable));
  }
  std::error_code ec;
  socket_.shutdown(asio::socket_base::shutdown_both, ec);
  socket_.close(ec);
}

std::string Transport::tls_description() const {
  if (!tls_) return "none";
  SSL* ssl = const_cast<asio::ssl::stream<Socket&>&>(*tls_).native_handle();
  return std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
}

void Transport::close() {
  std::error_code ec;
  socket_.close(ec);
}

void Transport::request_stop(StopReason reason) {
  if (stop_reason_ == StopReason::none) stop_reason_ = reason;
  std::error_code ec;
  socket_.cancel(ec);
}

}  // namespace courriel::net
