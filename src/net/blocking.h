// run_blocking: moves CPU-heavy or disk-waiting work (password hashing, fsync,
// directory scans) off the event loop (DESIGN §5) and resumes the calling
// coroutine on its own executor with the result.
#pragma once

#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>
#include <utility>

namespace courriel::net {

// REQUIRES: `work` does not throw (errors are values, base/result.h), and
// owns or outlives everything it touches, since it runs on a pool thread.
// `work` is taken by reference, not copied into the coroutine frame, and
// callers capture by reference ([&]) only: g++ 12 miscompiles lambdas with
// by-value or init-captured strings inside co_await expressions (a double
// free seen under ASan). The caller's temporary lives until the co_await ends.
template <class F>
asio::awaitable<std::invoke_result_t<F>> run_blocking(asio::thread_pool& pool, F&& work) {
  // The result lives in this suspended frame, so it need not be default-constructible.
  std::optional<std::invoke_result_t<F>> result;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [&pool, &result, &work](auto handler) {
        asio::post(pool, [&result, &work, handler = std::move(handler)]() mutable {
          result.emplace(work());
          // Back to the coroutine's own executor (the handler's associated one).
          asio::post(std::move(handler));
        });
      },
      asio::use_awaitable);
  co_return std::move(*result);
}

}  // namespace courriel::net
