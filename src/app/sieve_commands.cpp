#include "app/sieve_commands.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/config.h"
#include "auth/user_db.h"
#include "managesieve/script_store.h"

namespace courriel::app {
namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 64;    // EX_USAGE
constexpr int kDataErr = 65;  // EX_DATAERR
constexpr int kNoUser = 67;   // EX_NOUSER
constexpr int kConfig = 78;   // EX_CONFIG

int fail(const std::string& message, int code) {
  std::cerr << "courriel: " << message << "\n";
  return code;
}

}  // namespace

SieveCommands::SieveCommands(CLI::App& cli) {
  sieve_ = cli.add_subcommand("sieve", "manage a user's Sieve scripts (safe while the server runs)");
  sieve_->require_subcommand(1);
  put_ = sieve_->add_subcommand("put", "validate a script and store it (FILE '-' reads stdin)");
  list_ = sieve_->add_subcommand("list", "list scripts; the active one is marked ACTIVE");
  activate_ = sieve_->add_subcommand("activate", "make a script the active one (--none: no script)");
  for (CLI::App* sub : {put_, list_, activate_}) {
    sub->add_option("--config", config_file_, "TOML configuration file (default: embedded)");
    sub->add_option("--data", data_dir_, "data directory (overrides server.data_dir)");
    sub->add_option("USER", user_, "user: local or local@domain")->required();
  }
  put_->add_option("NAME", name_, "script name")->required();
  put_->add_option("FILE", file_, "the script")->required();
  auto* name = activate_->add_option("NAME", name_, "script name");
  auto* none = activate_->add_flag("--none", none_, "deactivate: no script runs");
  name->excludes(none);
}

bool SieveCommands::parsed() const { return sieve_->parsed(); }

int SieveCommands::run() {
  Result<Config> config = config_file_.empty() ? parse_config("", "embedded default")
                                               : load_config_file(config_file_);
  if (!config) return fail(config.error().detail, kConfig);
  if (!data_dir_.empty()) config->data_dir = data_dir_;
  auto name = auth::parse_user_name(user_, config->default_domain);
  if (!name) return fail("bad user name: " + name.error().detail, kUsage);
  const std::string user = name->full();
  auth::UserDb users(config->data_dir, config->default_domain);
  if (auto found = users.find(user); !found) {
    if (found.code() == Errc::not_found) return fail("no such user: " + user, kNoUser);
    return fail(found.error().detail, kFailed);
  }
  managesieve::ScriptStore store(
      managesieve::ScriptStore::dir_for(config->data_dir, user),
      {.max_script_size = config->max_script_size, .max_scripts = config->max_scripts});

  if (list_->parsed()) {
    auto scripts = store.list();
    if (!scripts) return fail(scripts.error().detail, kFailed);
    for (const auto& s : *scripts) std::cout << s.name << (s.active ? "\tACTIVE\n" : "\n");
    return 0;
  }
  if (activate_->parsed()) {
    if (!none_ && name_.empty()) return fail("give a script NAME or --none", kUsage);
    Status s = store.set_active(none_ ? "" : name_);
    if (!s) {
      if (s.code() == Errc::not_found) return fail("no such script: " + name_, kFailed);
      if (s.code() == Errc::invalid) return fail("bad script name: " + s.error().detail, kUsage);
      return fail(s.error().detail, kFailed);
    }
    return 0;
  }
  std::ostringstream text;
  if (file_ == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file_, std::ios::binary);
    if (!in) return fail("cannot read " + file_, kFailed);
    text << in.rdbuf();
  }
  if (auto v = managesieve::validate_script_name(name_); !v)
    return fail("bad script name: " + v.error().detail, kUsage);
  if (Status s = store.put(name_, text.str()); !s) {
    switch (s.code()) {
      case Errc::invalid: return fail(file_ + ": " + s.error().detail, kDataErr);
      default: return fail(s.error().detail, kFailed);
    }
  }
  return 0;
}

}  // namespace courriel::app
