// Session: one LMTP connection (RFC 2033) and its loop: cut a command line
// with the pure LineReader, parse it (lmtp/proto), check the sequence, run
// it, and write the replies. Replies are flushed before each read, so a
// pipelining client (RFC 2920) gets the replies of a whole batch in one write.
//
// The message (DATA or BDAT chunks, RFC 3030) is decoded as it arrives
// (lmtp/proto/framing.h) into one spool file; after the end of data, it is
// delivered to each accepted recipient in turn through the delivery pipeline
// (lmtp/delivery.h), and each gets its own reply, in RCPT order (RFC 2033
// §4.2): 250 only once that copy is durable, 550 5.7.1 when the recipient's
// Sieve script rejected the message (RFC 5429 §2.1), 452 4.2.2 over quota
// (552 5.2.2 with DeliveryOptions::quota_full_permanent).
//
// Timeouts (RFC 5321 §4.5.3.2): `command_timeout` waiting for a command,
// `data_timeout` inside DATA/BDAT, from the last read or write progress; on
// expiry the session sends 421 4.4.2 and ends.
//
// A Session lives on its transport's thread; store calls go to the blocking pool.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/user_db.h"
#include "lmtp/delivery.h"
#include "lmtp/proto/command.h"
#include "lmtp/proto/framing.h"
#include "lmtp/spool.h"
#include "net/transport.h"

namespace courriel::lmtp {

struct LmtpSettings {
  std::string hostname = "localhost";  // in the greeting and LHLO reply
  size_t max_line = 4096;              // command lines (RFC 5321 §4.5.3.1.4 asks 512 at least)
  uint64_t max_message_size = 100ull << 20;  // SIZE (RFC 1870)
  size_t max_recipients = 1000;
  std::chrono::seconds command_timeout{5 * 60};
  std::chrono::seconds data_timeout{10 * 60};
};

// Shared by every session of the server; thread-safe members only.
struct LmtpServices {
  LmtpSettings settings;
  auth::UserDb& users;
  Delivery& delivery;  // the pipeline (with its options and Sieve cache)
  asio::thread_pool& blocking;
  std::filesystem::path spool_dir;  // where messages wait while being delivered
  std::atomic<uint64_t> next_session_id{1};
};

class Session {
 public:
  Session(LmtpServices& services, net::Transport& transport);
  asio::awaitable<void> run();

 private:
  enum class ReadResult { data, closed };
  asio::awaitable<void> serve();
  asio::awaitable<void> watchdog();
  asio::awaitable<ReadResult> read_more(size_t chunk);
  asio::awaitable<bool> flush();
  // Runs one parsed command; false when the session must end.
  asio::awaitable<bool> execute(const Command& cmd);
  asio::awaitable<void> do_rcpt(const Command& cmd);
  // DATA after its 354: reads up to the end line. False when the connection is gone.
  asio::awaitable<bool> receive_data();
  // BDAT: reads the chunk's bytes. False when the connection is gone.
  asio::awaitable<bool> receive_chunk(uint64_t size, bool keep);
  // After the end of data: one reply per accepted recipient, then a new transaction.
  asio::awaitable<void> deliver_all();
  // Appends one reply line (CRLF added).
  void reply(std::string_view line);
  void reset_transaction();
  // Moves decoded message bytes to the spool (and clears `decoded`); past
  // the size limit or after a write error they are counted and dropped.
  void spool(std::string& decoded);
  void touch();
  // One log line per command; the result is the reply code recorded in note_.
  void log_command(std::string_view name, std::chrono::steady_clock::time_point start);

  struct Accepted {
    Recipient recipient;
  };

  LmtpServices& services_;
  net::Transport& transport_;
  uint64_t id_;
  std::string in_;   // received, not yet consumed
  std::string out_;  // replies not yet sent
  LineReader lines_;
  bool greeted_ = false;
  bool in_data_ = false;  // DATA or BDAT in progress: the longer timeout
  // The transaction (MAIL .. end of data).
  std::optional<std::string> sender_;
  std::vector<Accepted> recipients_;
  std::unique_ptr<SpoolFile> spool_;
  std::optional<BodyDecoder> chunks_;  // BDAT in progress
  bool bdat_failed_ = false;  // a chunk could not be taken: the rest is read and dropped
  bool too_big_ = false;
  bool spool_failed_ = false;
  uint64_t message_size_ = 0;
  asio::steady_timer deadline_timer_;
  std::chrono::steady_clock::time_point deadline_;
  bool quit_ = false;
  std::string note_;  // the last reply's code, then details for the log line
};

}  // namespace courriel::lmtp
