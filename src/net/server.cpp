#include "net/server.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace courriel::net {

Server::Server(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
}

Server::~Server() {
  for (auto& l : listeners_)
    if (!l->unix_path.empty()) ::unlink(l->unix_path.c_str());
}

Status Server::listen(const ListenAddress& address, std::string name, ConnectionHandler handler) {
  std::error_code ec;
  asio::generic::stream_protocol::endpoint endpoint;
  if (address.is_unix()) {
    // A socket left by a previous run that did not end cleanly is replaced;
    // anything else at that path is an error (bind reports EADDRINUSE).
    struct stat st{};
    if (::lstat(address.unix_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode))
      ::unlink(address.unix_path.c_str());
    endpoint = asio::local::stream_protocol::endpoint(address.unix_path);
  } else {
    auto ip = asio::ip::make_address(address.host, ec);
    if (ec) return make_error(Errc::invalid, "bad address " + address.host);
    endpoint = asio::ip::tcp::endpoint(ip, address.port);
  }
  asio::basic_socket_acceptor<asio::generic::stream_protocol> acceptor(workers_.front()->context);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec && !address.is_unix()) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error(Errc::internal,
                      "cannot listen on " + address.to_string() + " (" + name + "): " + ec.message());
  listeners_.push_back(std::make_unique<Listener>(
      Listener{std::move(acceptor), std::move(name), std::move(handler), address.unix_path}));
  return {};
}

void Server::stop_on_signals() {
  signals_ = std::make_unique<asio::signal_set>(workers_.front()->context, SIGTERM, SIGINT);
  signals_->async_wait([this](std::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("signal {} received, stopping", signo);
    stop();
  });
}

asio::awaitable<void> Server::accept_loop(Listener& listener) {
  for (;;) {
    Worker& worker = *workers_[next_worker_++ % workers_.size()];
    auto [ec, socket] = co_await listener.acceptor.async_accept(
        worker.context, asio::experimental::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !listener.acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: log, breathe, go on accepting.
      spdlog::warn("accept on {} failed: {}", listener.name, ec.message());
      asio::steady_timer pause(listener.acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::use_awaitable);
      continue;
    }
    asio::co_spawn(worker.context, serve(worker, std::move(socket), listener), asio::detached);
  }
}

asio::awaitable<void> Server::serve(Worker& worker, Transport::Socket socket, Listener& listener) {
  ++live_count_;
  Transport transport(std::move(socket));
  auto it = worker.live.insert(worker.live.end(), &transport);
  try {
    co_await listener.handler(transport);
  } catch (const std::exception& e) {
    // A bug in a session must not take the server down; it ends that connection only.
    spdlog::error("{} session from {} ended by exception: {}", listener.name, transport.peer(),
                  e.what());
  }
  worker.live.erase(it);
  co_await transport.shutdown();
  --live_count_;
}

asio::awaitable<void> Server::wait_for_sessions() {
  asio::steady_timer timer(workers_.front()->context);
  auto deadline = std::chrono::steady_clock::now() + grace_;
  while (live_count_ > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  // Sessions that did not end within the grace period are cut off.
  for (auto& w : workers_) w->context.stop();
}

void Server::run(const std::function<void()>& on_ready) {
  for (auto& l : listeners_)
    asio::co_spawn(workers_.front()->context, accept_loop(*l), asio::detached);
  // The guards keep idle workers alive until stop() releases them.
  for (auto& w : workers_) guards_.push_back(asio::make_work_guard(w->context));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers_.size(); ++i)
    threads.emplace_back([w = workers_[i].get()] { w->context.run(); });
  if (on_ready) on_ready();
  workers_.front()->context.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  asio::post(workers_.front()->context, [this] {
    if (stopping_) return;
    stopping_ = true;
    for (auto& l : listeners_) {
      std::error_code ec;
      l->acceptor.close(ec);
    }
    if (signals_) signals_->cancel();
    for (auto& w : workers_)
      asio::post(w->context, [w = w.get()] {
        for (Transport* t : w->live) t->request_stop(StopReason::shutdown);
      });
    for (auto& g : guards_) g.reset();
    asio::co_spawn(workers_.front()->context, wait_for_sessions(), asio::detached);
  });
}

}  // namespace courriel::net
