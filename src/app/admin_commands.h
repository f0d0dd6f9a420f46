// The mailbox and index admin commands of the `courriel` binary:
//
//   courriel mailbox list USER          one mailbox per line: name, messages, special use
//   courriel mailbox create USER NAME [--special-use \Sent]...
//   courriel mailbox delete USER NAME
//   courriel index rebuild USER         rebuild the index from the Maildir
//   courriel index check USER           exit 1 and print the disagreements, if any
//   courriel quota get USER             "storage\t<used>\t<limit>" and "messages\t..."
//                                       (bytes and messages; limit "none" if unlimited)
//   courriel quota set USER [--storage BYTES|none] [--messages N|none]
//                                       the account's own limits (RFC 9208 quota),
//                                       overriding [quota] defaults; none = unlimited
//
// each with --data DIR and --config FILE like `courriel user`. They work on
// the store directly (store.h) and are safe while the server runs (the index
// serialises writers across processes). USER is "local" or "local@domain" and
// must exist in the user database. Names are UTF-8 with '/' as separator.
//
// Exit codes (sysexits.h): 0 ok; 1 the operation failed (or check found
// disagreements); 64 bad arguments (a malformed user or mailbox name); 67 no
// such user; 78 a configuration error.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace courriel::app {

class AdminCommands {
 public:
  // Adds the `mailbox`, `index` and `quota` subcommands to `cli`.
  explicit AdminCommands(CLI::App& cli);
  // Whether one of them was given on the command line (after parsing).
  bool parsed() const;
  // Runs the one given. REQUIRES: parsed().
  int run();

 private:
  struct Options {
    std::string config_file;
    std::string data_dir;
    std::string user;
    std::string mailbox;
    std::vector<std::string> special_use;
    std::string storage_limit;   // quota set: BYTES or "none"
    std::string messages_limit;  // quota set: N or "none"
  };
  Options opts_;
  CLI::App* mailbox_ = nullptr;
  CLI::App* index_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* delete_ = nullptr;
  CLI::App* rebuild_ = nullptr;
  CLI::App* check_ = nullptr;
  CLI::App* quota_ = nullptr;
  CLI::App* quota_get_ = nullptr;
  CLI::App* quota_set_ = nullptr;
};

}  // namespace courriel::app
