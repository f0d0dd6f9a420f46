// Server: the event-driven core every protocol runs on (DESIGN §5).
//
// A fixed pool of threads, each running its own io_context. Listeners accept
// on the first context and hand each connection to the next context in turn,
// so a session lives its whole life on one thread and needs no locks of its
// own. stop() closes the listeners and asks every live connection to end
// (its session sends its goodbye, e.g. IMAP `* BYE`); run() returns once all
// have, or after a grace period.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <atomic>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "net/listen_address.h"
#include "net/transport.h"

namespace courriel::net {

class Server {
 public:
  // Runs on the connection's own thread; owns the transport until it returns.
  using ConnectionHandler = std::function<asio::awaitable<void>(Transport&)>;

  explicit Server(unsigned threads);
  ~Server();

  // Binds now (so that errors are reported before `ready`), accepts once run() starts.
  // A Unix socket path is replaced if a stale socket is there (never another
  // kind of file), and removed when the Server is destroyed.
  Status listen(const ListenAddress& address, std::string name, ConnectionHandler handler);
  // Stops on SIGTERM or SIGINT.
  void stop_on_signals();
  // Blocks until stop() has completed. Calls on_ready first, from the main thread.
  void run(const std::function<void()>& on_ready);
  // Thread-safe.
  void stop();

  // The io_context of the calling thread's worker, for posting blocking work results.
  asio::io_context& main_context() { return workers_.front()->context; }

 private:
  struct Worker {
    asio::io_context context{1};
    std::list<Transport*> live;  // touched only from this worker's thread
  };
  struct Listener {
    // TCP or Unix: the generic protocol accepts either into a Transport::Socket.
    asio::basic_socket_acceptor<asio::generic::stream_protocol> acceptor;
    std::string name;
    ConnectionHandler handler;
    std::string unix_path;  // removed at destruction
  };

  asio::awaitable<void> accept_loop(Listener& listener);
  asio::awaitable<void> wait_for_sessions();
  asio::awaitable<void> serve(Worker& worker, Transport::Socket socket, Listener& listener);

  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::unique_ptr<asio::signal_set> signals_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::atomic<size_t> live_count_{0};
  size_t next_worker_ = 0;
  bool stopping_ = false;  // main worker's thread only
  std::chrono::seconds grace_{5};
};

}  // namespace courriel::net
