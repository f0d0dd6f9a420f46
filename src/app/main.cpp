// courriel: the server (`serve`) and the admin commands (`user ...`), one binary.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "app/admin_commands.h"
#include "app/config.h"
#include "app/data_dir.h"
#include "app/serve.h"
#include "app/sieve_commands.h"
#include "app/store_settings.h"
#include "auth/user_db.h"
#include "lmtp/deliver_command.h"

using namespace courriel;

namespace {

// Flags shared by every subcommand that works on a data dir.
struct DataOptions {
  std::string config_file;
  std::string data_dir;
};

void add_data_options(CLI::App* cmd, DataOptions& opts) {
  cmd->add_option("--config", opts.config_file, "TOML configuration file (default: embedded)");
  cmd->add_option("--data", opts.data_dir, "data directory (overrides server.data_dir)");
}

Result<app::Config> resolve_config(const DataOptions& opts) {
  Result<app::Config> config =
      opts.config_file.empty() ? app::parse_config("", "embedded default")
                               : app::load_config_file(opts.config_file);
  if (config && !opts.data_dir.empty()) config->data_dir = opts.data_dir;
  return config;
}

int fail(const std::string& message, int code = 1) {
  std::cerr << "courriel: " << message << "\n";
  return code;
}

// The new password: one line from stdin with --password-stdin, else asked
// twice on the terminal without echo.
Result<std::string> read_password(bool from_stdin) {
  std::string pw;
  if (from_stdin) {
    if (!std::getline(std::cin, pw)) return make_error(Errc::invalid, "no password on stdin");
    if (!pw.empty() && pw.back() == '\r') pw.pop_back();
    return pw;
  }
  if (!isatty(STDIN_FILENO))
    return make_error(Errc::invalid, "stdin is not a terminal: use --password-stdin");
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~tcflag_t(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string again;
  std::cerr << "Password: " << std::flush;
  std::getline(std::cin, pw);
  std::cerr << "\nAgain: " << std::flush;
  std::getline(std::cin, again);
  std::cerr << "\n";
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  if (pw != again) return make_error(Errc::invalid, "the passwords differ");
  return pw;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Courriel: an IMAP mail store server"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", std::string("courriel 0.1.0"));

  // courriel serve
  DataOptions serve_data;
  app::ServeFlags serve_flags;
  CLI::App* serve = cli.add_subcommand("serve", "run the server in the foreground");
  add_data_options(serve, serve_data);
  serve->add_option("--imap", serve_flags.imap, "IMAP (STARTTLS) listener, host:port or off");
  serve->add_option("--imaps", serve_flags.imaps, "IMAPS (implicit TLS) listener, host:port or off");
  serve->add_option("--lmtp", serve_flags.lmtp,
                    "LMTP listener, host:port, unix:/path or off (default: off)");
  serve->add_option("--sieve", serve_flags.sieve,
                    "ManageSieve listener, host:port or off (default: 127.0.0.1:4190)");
  serve->add_option("--pid-file", serve_flags.pid_file, "write the process id here once ready");

  // courriel user add|del|passwd|list
  DataOptions user_data;
  std::string user_name;
  bool password_stdin = false;
  CLI::App* user = cli.add_subcommand("user", "manage users (safe while the server runs)");
  user->require_subcommand(1);
  CLI::App* user_add = user->add_subcommand("add", "add a user: NAME is local or local@domain");
  CLI::App* user_del = user->add_subcommand("del", "delete a user (their mail stays on disk)");
  CLI::App* user_passwd = user->add_subcommand("passwd", "set a user's password");
  CLI::App* user_list = user->add_subcommand("list", "list users");
  for (CLI::App* sub : {user_add, user_del, user_passwd, user_list}) add_data_options(sub, user_data);
  for (CLI::App* sub : {user_add, user_del, user_passwd})
    sub->add_option("NAME", user_name, "user name")->required();
  for (CLI::App* sub : {user_add, user_passwd})
    sub->add_flag("--password-stdin", password_stdin, "read the password from stdin (one line)");

  // courriel deliver -f SENDER -a RECIPIENT < message
  DataOptions deliver_data;
  std::string deliver_sender, deliver_recipient;
  CLI::App* deliver = cli.add_subcommand(
      "deliver", "deliver a message read from stdin (local delivery agent; exit codes per sysexits.h)");
  add_data_options(deliver, deliver_data);
  deliver->add_option("-f,--from", deliver_sender, "envelope sender (Return-Path); empty or <> for none");
  deliver->add_option("-a,--recipient", deliver_recipient, "envelope recipient: user, user@domain or user+detail@domain")
      ->required();

  // courriel mailbox list|create|delete, courriel index rebuild|check, courriel quota get|set
  app::AdminCommands admin(cli);
  // courriel sieve put|list|activate
  app::SieveCommands sieve_cmds(cli);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    // An MTA reads sysexits: a bad `deliver` command line is EX_USAGE.
    return rc != 0 && deliver->parsed() ? lmtp::kExitUsage : rc;
  }
  if (admin.parsed()) return admin.run();
  if (sieve_cmds.parsed()) return sieve_cmds.run();

  if (serve->parsed()) {
    auto config = resolve_config(serve_data);
    if (!config) return fail(config.error().detail, 78);  // EX_CONFIG
    return app::serve(*config, serve_flags);
  }

  if (deliver->parsed()) {
    auto config = resolve_config(deliver_data);
    if (!config) return fail(config.error().detail, lmtp::kExitConfig);
    if (Status made = app::ensure_data_dir(config->data_dir); !made)
      return fail(made.error().detail, lmtp::kExitTempFail);
    // Errors go to stderr (the MTA puts them in the bounce); nothing on stdout.
    spdlog::set_default_logger(spdlog::stderr_color_mt("courriel"));
    spdlog::set_level(spdlog::level::warn);
    auth::UserDb users(config->data_dir, config->default_domain);
    auto store = store::make_maildir_store(app::store_settings(*config));
    lmtp::Delivery delivery(*store, app::delivery_options(*config), app::delivery_mailer(*config));
    lmtp::DeliverRequest request{
        .sender = deliver_sender,
        .recipient = deliver_recipient,
        .max_message_size = config->lmtp_max_message_size,
        .spool_dir = config->data_dir / "spool",
    };
    return lmtp::deliver_from_stream(stdin, request, users, delivery, stderr);
  }

  auto config = resolve_config(user_data);
  if (!config) return fail(config.error().detail, 78);
  if (Status made = app::ensure_data_dir(config->data_dir); !made) return fail(made.error().detail);
  auth::UserDb users(config->data_dir, config->default_domain);
  if (user_list->parsed()) {
    auto names = users.list();
    if (!names) return fail(names.error().detail);
    for (const auto& n : *names) std::cout << n << "\n";
    return 0;
  }
  if (user_del->parsed()) {
    if (auto s = users.remove(user_name); !s) return fail(s.error().detail);
    return 0;
  }
  auto password = read_password(password_stdin);
  if (!password) return fail(password.error().detail);
  Status s = user_add->parsed() ? users.add(user_name, *password)
                                : users.set_password(user_name, *password);
  if (!s) return fail(s.error().detail);
  return 0;
}
