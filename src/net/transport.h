// Transport: one client connection's byte stream, plain TCP (or a Unix stream
// socket) that may switch to TLS (implicit TLS at accept, or STARTTLS mid-session). Protocol sessions
// read and write through it and never see the socket.
//
// A Transport belongs to the io_context thread that accepted it; every member
// must be called from that thread. request_stop() is how the server (shutdown)
// or a watchdog (timeouts) interrupts a session: it cancels pending I/O, and
// the session, seeing stop_reason(), says goodbye and ends.
#pragma once

#include <memory>
#include <string>
#include <system_error>

#include <asio/awaitable.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

namespace courriel::net {

enum class StopReason { none, shutdown, timeout };

class Transport {
 public:
  using Socket = asio::generic::stream_protocol::socket;
  // A TCP socket (AF_INET/AF_INET6) or a Unix one (AF_UNIX: peer() is
  // "unix", and the peer counts as loopback, being on this host).
  explicit Transport(Socket socket);
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  ~Transport();

  // Reads what is available (at least one byte) into `buf`; 0 with `ec` set on
  // end of stream, error or cancellation.
  asio::awaitable<size_t> read_some(asio::mutable_buffer buf, std::error_code& ec);
  // Writes all of `buf`; completes only when the kernel took it (back-pressure).
  asio::awaitable<void> write(asio::const_buffer buf, std::error_code& ec);
  // Server-side TLS handshake on the connection (before any other use, or after STARTTLS).
  asio::awaitable<void> start_tls(asio::ssl::context& ctx, std::error_code& ec);
  // Sends close_notify when TLS is on, then closes the socket.
  asio::awaitable<void> shutdown();

  bool tls_active() const { return tls_ != nullptr; }
  std::string tls_description() const;  // "TLSv1.3 TLS_AES_256_GCM_SHA384"
  const std::string& peer() const { return peer_; }  // "ip:port"
  const std::string& peer_ip() const { return peer_ip_; }
  bool peer_is_loopback() const { return loopback_; }
  asio::any_io_executor executor() { return socket_.get_executor(); }

  void request_stop(StopReason reason);
  // Closes the socket at once, without goodbye (a peer that stopped reading).
  void close();
  StopReason stop_reason() const { return stop_reason_; }

 private:
  Socket socket_;
  std::unique_ptr<asio::ssl::stream<Socket&>> tls_;
  std::string peer_, peer_ip_;
  bool loopback_ = false;
  StopReason stop_reason_ = StopReason::none;
};

}  // namespace courriel::net
