// serve(): `courriel serve` — sets up logging, the data dir, users, TLS and
// the listeners from a Config, then runs the server until SIGTERM/SIGINT.
#pragma once

#include <string>

#include "app/config.h"

namespace courriel::app {

// Command-line flags that override the config file; empty means "not given".
struct ServeFlags {
  std::string imap;
  std::string imaps;
  std::string lmtp;
  std::string sieve;  // ManageSieve
  std::string pid_file;
};

// Returns the process exit code.
int serve(Config config, const ServeFlags& flags);

}  // namespace courriel::app
