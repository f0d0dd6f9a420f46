// Result<T>: the one error rule of Courriel (docs/architecture.md, "Errors").
//
// Every operation that can fail for a reason the caller must handle returns a
// Result<T>: either a value or an Error carrying an Errc from the shared
// vocabulary below and a detail string meant for the log. Exceptions are not
// used across layer boundaries; each protocol has exactly one function that maps
// an Errc to its wire form (IMAP response code, POP3 -ERR, SMTP status).
//
// Thread-safety: plain values, no shared state.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace courriel {

enum class Errc {
  invalid,            // malformed input or argument
  not_found,          // no such user, mailbox, message, key
  already_exists,     // the name is taken
  permission_denied,  // not allowed for this user
  too_big,            // over a size limit
  over_quota,         // the user's quota would be exceeded
  auth_failed,        // credentials did not verify
  temporary,          // try again later (lock contention, resource shortage)
  internal,           // unexpected system failure: details go to the log only
};

std::string_view errc_name(Errc code);

struct Error {
  Errc code;
  std::string detail;  // for the log; never sent to a peer verbatim
};

inline Error make_error(Errc code, std::string detail = {}) { return Error{code, std::move(detail)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  Errc code() const { return error().code; }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }
  Errc code() const { return error().code; }

 private:
  Error error_{Errc::internal, {}};
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace courriel
