// The Sieve admin commands of the `courriel` binary (the script store of
// managesieve/script_store.h, shared with the ManageSieve server):
//
//   courriel sieve put USER NAME FILE     validate FILE ("-": stdin) and store it
//   courriel sieve list USER              one script per line, "<name>\tACTIVE" for the active one
//   courriel sieve activate USER NAME     make NAME the active script
//   courriel sieve activate USER --none   no active script
//
// each with --data DIR and --config FILE. Exit codes (sysexits.h): 0 ok; 1 the
// operation failed; 64 bad arguments; 65 the script is invalid (EX_DATAERR,
// with "line N: message"); 67 no such user; 78 a configuration error.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace courriel::app {

class SieveCommands {
 public:
  // Adds the `sieve` subcommand to `cli`.
  explicit SieveCommands(CLI::App& cli);
  bool parsed() const;
  // REQUIRES: parsed().
  int run();

 private:
  std::string config_file_, data_dir_, user_, name_, file_;
  bool none_ = false;
  CLI::App* sieve_ = nullptr;
  CLI::App* put_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* activate_ = nullptr;
};

}  // namespace courriel::app
