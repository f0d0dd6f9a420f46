#include "app/admin_commands.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <optional>

#include "app/config.h"
#include "app/store_settings.h"
#include "auth/user_db.h"
#include "imap/list_select.h"
#include "imap/mailbox_name.h"
#include "store/maildir/maildir_store.h"
#include "store/store.h"

namespace courriel::app {
namespace {

constexpr int kFailed = 1;
constexpr int kUsage = 64;   // EX_USAGE
constexpr int kNoUser = 67;  // EX_NOUSER
constexpr int kConfig = 78;  // EX_CONFIG

int fail(const std::string& message, int code) {
  std::cerr << "courriel: " << message << "\n";
  return code;
}

std::string describe(const Error& e) {
  return std::string(errc_name(e.code)) + (e.detail.empty() ? "" : ": " + e.detail);
}

// A quota limit argument: a decimal number or "none" (0, unlimited).
std::optional<uint64_t> parse_limit(const std::string& s) {
  if (s == "none") return uint64_t(0);
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(s);
}

std::string limit_text(uint64_t limit) { return limit ? std::to_string(limit) : "none"; }

}  // namespace

AdminCommands::AdminCommands(CLI::App& cli) {
  mailbox_ =
      cli.add_subcommand("mailbox", "manage a user's mailboxes (safe while the server runs)");
  mailbox_->require_subcommand(1);
  list_ = mailbox_->add_subcommand("list", "list mailboxes: name, message count, special use");
  create_ = mailbox_->add_subcommand("create", "create a mailbox (and its missing parents)");
  delete_ = mailbox_->add_subcommand("delete", "delete a mailbox and its messages");
  index_ = cli.add_subcommand("index", "maintain a user's mail index");
  index_->require_subcommand(1);
  rebuild_ = index_->add_subcommand("rebuild", "rebuild the index from the Maildir");
  check_ =
      index_->add_subcommand("check", "compare the index with the Maildir (exit 1 if they differ)");
  quota_ = cli.add_subcommand("quota", "show or set a user's quota (safe while the server runs)");
  quota_->require_subcommand(1);
  quota_get_ = quota_->add_subcommand("get", "print usage and limits: storage (bytes), messages");
  quota_set_ = quota_->add_subcommand("set", "set the user's own limits (none = unlimited)");
  quota_set_->add_option("--storage", opts_.storage_limit, "storage limit in bytes, or none");
  quota_set_->add_option("--messages", opts_.messages_limit, "message count limit, or none");
  for (CLI::App* sub : {list_, create_, delete_, rebuild_, check_, quota_get_, quota_set_}) {
    sub->add_option("--config", opts_.config_file, "TOML configuration file (default: embedded)");
    sub->add_option("--data", opts_.data_dir, "data directory (overrides server.data_dir)");
    sub->add_option("USER", opts_.user, "user: local or local@domain")->required();
  }
  for (CLI::App* sub : {create_, delete_})
    sub->add_option("NAME", opts_.mailbox, "mailbox name (UTF-8, '/' between levels)")->required();
  create_->add_option("--special-use", opts_.special_use,
                      "RFC 6154 attribute: \\Archive \\Drafts \\Junk \\Sent \\Trash (repeatable)");
}

bool AdminCommands::parsed() const {
  return mailbox_->parsed() || index_->parsed() || quota_->parsed();
}

int AdminCommands::run() {
  Result<Config> config = opts_.config_file.empty() ? parse_config("", "embedded default")
                                                    : load_config_file(opts_.config_file);
  if (!config) return fail(config.error().detail, kConfig);
  if (!opts_.data_dir.empty()) config->data_dir = opts_.data_dir;

  auto name = auth::parse_user_name(opts_.user, config->default_domain);
  if (!name) return fail("bad user name: " + name.error().detail, kUsage);
  const std::string user = name->full();
  auth::UserDb users(config->data_dir, config->default_domain);
  if (auto found = users.find(user); !found) {
    if (found.code() == Errc::not_found) return fail("no such user: " + user, kNoUser);
    return fail(describe(found.error()), kFailed);
  }
  store::StoreSettings settings = store_settings(*config);

  if (rebuild_->parsed()) {
    if (Status s = store::rebuild_index(settings, user); !s)
      return fail("index rebuild failed: " + describe(s.error()), kFailed);
    return 0;
  }
  if (check_->parsed()) {
    auto problems = store::check_index(settings, user);
    if (!problems) return fail("index check failed: " + describe(problems.error()), kFailed);
    for (const std::string& p : *problems) std::cout << p << "\n";
    return problems->empty() ? 0 : kFailed;
  }

  std::unique_ptr<store::Store> st = store::make_maildir_store(settings);
  auto account = st->open(user);
  if (!account) return fail("cannot open the mailboxes: " + describe(account.error()), kFailed);
  store::Account& acct = **account;

  if (quota_get_->parsed()) {
    auto q = acct.quota();
    if (!q) return fail(describe(q.error()), kFailed);
    std::cout << "storage\t" << q->storage_used << "\t" << limit_text(q->storage_limit) << "\n"
              << "messages\t" << q->messages_used << "\t" << limit_text(q->messages_limit) << "\n";
    return 0;
  }
  if (quota_set_->parsed()) {
    std::optional<uint64_t> storage, messages;
    if (!opts_.storage_limit.empty() && !(storage = parse_limit(opts_.storage_limit)))
      return fail("--storage: a number of bytes or none", kUsage);
    if (!opts_.messages_limit.empty() && !(messages = parse_limit(opts_.messages_limit)))
      return fail("--messages: a number or none", kUsage);
    if (!storage && !messages) return fail("quota set: give --storage or --messages", kUsage);
    if (Status s = acct.set_quota(storage, messages); !s) return fail(describe(s.error()), kFailed);
    return 0;
  }

  if (list_->parsed()) {
    auto all = acct.list();
    if (!all) return fail(describe(all.error()), kFailed);
    for (const store::MailboxInfo& m : *all) {
      if (!m.exists) continue;
      auto status = acct.status(m.name);
      std::cout << m.name << "\t" << (status ? std::to_string(status->messages) : "?");
      if (m.special_use) std::cout << "\t" << imap::special_use_names(m.special_use);
      std::cout << "\n";
    }
    return 0;
  }

  auto utf8_name = imap::mailbox_from_wire(opts_.mailbox, /*utf8=*/true);  // INBOX normalised
  if (!utf8_name) return fail("the mailbox name is not UTF-8", kUsage);
  std::string mailbox = std::move(*utf8_name);
  if (create_->parsed()) {
    if (mailbox.size() > 1 && mailbox.back() == imap::kHierarchySeparator) mailbox.pop_back();
    uint8_t use = 0;
    for (std::string attr : opts_.special_use) {
      if (!attr.starts_with('\\')) attr.insert(0, "\\");
      uint8_t bit = imap::special_use_bit(attr);
      if (!bit) return fail("unknown special use " + attr, kUsage);
      use |= bit;
    }
    if (mailbox == "INBOX") return fail("INBOX always exists", kFailed);
    auto id = acct.create(mailbox, use);
    if (!id) {
      if (id.code() == Errc::invalid)
        return fail("invalid mailbox name: " + id.error().detail, kUsage);
      if (id.code() == Errc::already_exists) return fail("mailbox exists: " + mailbox, kFailed);
      return fail(describe(id.error()), kFailed);
    }
    return 0;
  }
  if (Status s = acct.remove(mailbox); !s) {
    if (s.code() == Errc::not_found) return fail("no such mailbox: " + mailbox, kFailed);
    if (s.code() == Errc::invalid) return fail("invalid mailbox name: " + s.error().detail, kUsage);
    if (s.code() == Errc::permission_denied) return fail("INBOX cannot be deleted", kFailed);
    return fail(describe(s.error()), kFailed);
  }
  return 0;
}

}  // namespace courriel::app
