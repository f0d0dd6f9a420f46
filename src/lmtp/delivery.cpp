#include "lmtp/delivery.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "auth/user_name.h"
#include "base/ascii.h"
#include "lmtp/proto/command.h"
#include "lmtp/vacation_memory.h"
#include "mail/header.h"
#include "sieve/interpreter.h"

namespace courriel::lmtp {
namespace {

constexpr size_t kCopyChunk = 256 * 1024;
constexpr size_t kMaxReason = 200;  // a reply line stays under 512 octets (RFC 5321 §4.5.3.1.5)

// Closes a file descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The spooled message, mapped read-only for the Sieve interpreter (it reads
// the header; body and size tests see the whole message without a copy).
class MappedFile {
 public:
  static Result<MappedFile> open(const std::filesystem::path& path) {
    Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    struct stat st {};
    if (fd.fd < 0 || ::fstat(fd.fd, &st) != 0)
      return make_error(Errc::internal, "cannot open " + path.string() + ": " + std::strerror(errno));
    MappedFile m;
    if (st.st_size == 0) return m;
    void* p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd.fd, 0);
    if (p == MAP_FAILED)
      return make_error(Errc::internal, "cannot map " + path.string() + ": " + std::strerror(errno));
    m.data_ = static_cast<const char*>(p);
    m.size_ = size_t(st.st_size);
    return m;
  }
  MappedFile(MappedFile&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(o.size_) {}
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view view() const { return {data_ ? data_ : "", size_}; }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

struct SystemFlagName {
  store::SystemFlag bit;
  std::string_view name;
};
constexpr SystemFlagName kSystemFlags[] = {
    {store::kSeen, "\\Seen"},       {store::kAnswered, "\\Answered"}, {store::kFlagged, "\\Flagged"},
    {store::kDeleted, "\\Deleted"}, {store::kDraft, "\\Draft"},
};

// RFC 9051 §9: atom = 1*ATOM-CHAR; a flag keyword is an atom (no "]" either).
bool is_keyword(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::string_view("(){%*\"\\]").find(c) != std::string_view::npos) return false;
  }
  return true;
}

void merge_flags(store::Flags& into, const store::Flags& from) {
  into.system |= from.system;
  for (const std::string& k : from.keywords)
    if (std::none_of(into.keywords.begin(), into.keywords.end(),
                     [&](const std::string& x) { return ascii::iequals(x, k); }))
      into.keywords.push_back(k);
}

void add_note(std::string& notes, std::string_view note) {
  if (!notes.empty()) notes += "; ";
  notes += note;
}

// A reject reason as one line of printable ASCII (RFC 5321 §4.2 reply text).
std::string reply_text(std::string_view reason) {
  std::string one_line;
  for (char c : reason) one_line += (c == '\r' || c == '\n' || c == '\t') ? ' ' : c;
  while (!one_line.empty() && one_line.back() == ' ') one_line.pop_back();
  if (one_line.empty()) return "Message rejected";
  return ascii::printable(one_line, kMaxReason);
}

int zone_offset_minutes(std::time_t now) {
  std::tm tm{};
  if (!::localtime_r(&now, &tm)) return 0;
  return int(tm.tm_gmtoff / 60);
}

// Whether the message already went through this recipient (a redirect
// would loop): it carries our Delivered-To field for it.
bool delivered_before(std::string_view message, const std::string& address) {
  for (const mail::HeaderField& f : mail::header_fields_of(message))
    if (ascii::iequals(f.name, "Delivered-To") && ascii::iequals(mail::unfold(f.value), address))
      return true;
  return false;
}

}  // namespace

Result<Recipient> resolve_recipient(auth::UserDb& users, std::string_view address,
                                    const DeliveryOptions& options) {
  AddressParts parts = split_address(address);
  LocalPart local = split_local_part(parts.local, options.recipient_delimiter);
  std::string name = local.user;
  if (parts.domain) name += "@" + *parts.domain;
  // A bare local part ("postmaster", or `deliver -a bob`) takes the default domain.
  auto record = users.find(name);
  if (!record) return record.error();
  return Recipient{std::string(address), record->name.full(), std::move(local.detail)};
}

std::string trace_fields(const DeliveryEnvelope& envelope) {
  // The envelope's addresses passed the command parser (no controls, at
  // most 256 bytes), so they cannot break the header.
  return "Return-Path: <" + envelope.sender + ">\r\nDelivered-To: " +
         envelope.recipient.address + "\r\n";
}

Result<std::string> default_mailbox(store::Account& account, const DeliveryEnvelope& envelope,
                                    const DeliveryOptions& options) {
  const std::string& detail = envelope.recipient.detail;
  if (options.detail_to_folder && !detail.empty() && !ascii::iequals(detail, "INBOX")) {
    // Only into a mailbox that exists: a subaddress never creates one.
    auto id = account.lookup(detail);
    if (id) return detail;
    if (id.code() != Errc::not_found && id.code() != Errc::invalid) return id.error();
  }
  return std::string("INBOX");
}

store::Flags flags_from_sieve(const std::vector<std::string>& names) {
  store::Flags flags;
  for (const std::string& n : names) {
    if (n.starts_with('\\')) {
      for (const SystemFlagName& s : kSystemFlags)
        if (ascii::iequals(s.name, n)) flags.system |= s.bit;
    } else if (is_keyword(n)) {
      merge_flags(flags, store::Flags{0, {n}});
    }
  }
  return flags;
}

DeliveryPlan plan_from_actions(const sieve::Actions& actions, const std::string& default_mailbox,
                               const std::function<bool(std::string_view)>& mailbox_exists) {
  DeliveryPlan plan;
  plan.default_mailbox = default_mailbox;
  auto add_target = [&](std::string mailbox, const std::vector<std::string>& flags, bool create) {
    if (ascii::iequals(mailbox, "INBOX")) mailbox = "INBOX";
    store::Flags f = flags_from_sieve(flags);
    for (DeliveryTarget& t : plan.targets) {
      if (t.mailbox == mailbox) {
        merge_flags(t.flags, f);
        t.create = t.create || create;
        return;
      }
    }
    plan.targets.push_back(DeliveryTarget{std::move(mailbox), std::move(f), create});
  };
  for (const sieve::Action& a : actions.list) {
    if (const auto* k = std::get_if<sieve::KeepAction>(&a)) {
      add_target(default_mailbox, k->flags, false);
    } else if (const auto* f = std::get_if<sieve::FileintoAction>(&a)) {
      bool exists = ascii::iequals(f->mailbox, "INBOX") || (mailbox_exists && mailbox_exists(f->mailbox));
      if (exists || f->create) {
        add_target(f->mailbox, f->flags, !exists);
      } else {
        // RFC 5490 §3.2 leaves creation to :create; like Dovecot, INBOX then.
        add_note(plan.note, "fileinto \"" + ascii::printable(f->mailbox) + "\": no such mailbox, INBOX instead");
        add_target("INBOX", f->flags, false);
      }
    } else if (const auto* r = std::get_if<sieve::RedirectAction>(&a)) {
      plan.redirects.push_back(r->address);
    } else if (const auto* j = std::get_if<sieve::RejectAction>(&a)) {
      plan.reject = j->reason;
    } else if (const auto* v = std::get_if<sieve::VacationAction>(&a)) {
      plan.vacation = *v;
    }
  }
  return plan;
}

Delivery::Delivery(store::Store& store, DeliveryOptions options, Mailer mailer)
    : store_(store), options_(std::move(options)), mailer_(std::move(mailer)) {}

Result<DeliveryPlan> Delivery::plan_delivery(store::Account& account, const SpooledMessage& spooled,
                                             const DeliveryEnvelope& envelope) {
  auto fallback = default_mailbox(account, envelope, options_);
  if (!fallback) return fallback.error();
  // The implicit keep (RFC 5228 §2.10.2), also what a failing script gets (§2.10.6).
  auto keep = [&](std::string note) {
    DeliveryPlan plan;
    plan.default_mailbox = *fallback;
    plan.targets.push_back(DeliveryTarget{*fallback, {}, false});
    plan.note = std::move(note);
    return plan;
  };
  if (options_.data_dir.empty()) return keep("");
  const std::string& user = envelope.recipient.user;
  auto script = scripts_.active(options_.data_dir, user);
  if (!script) return keep("sieve script not usable, kept: " + script.error().detail);
  if (!*script) return keep("");
  std::optional<MappedFile> mapped;
  if (!spooled.bytes) {
    auto m = MappedFile::open(spooled.file);
    if (!m) return keep("sieve cannot read the message, kept: " + m.error().detail);
    mapped.emplace(std::move(*m));
  }

  sieve::Message msg{spooled.bytes ? *spooled.bytes : mapped->view(), nullptr};
  sieve::Envelope env{envelope.sender, envelope.recipient.address, envelope.recipient.address};
  sieve::Environment cfg;
  cfg.user = user;
  cfg.mailbox_exists = [&account](std::string_view name) {
    return ascii::iequals(name, "INBOX") || account.lookup(name).ok();
  };
  std::time_t now = std::time(nullptr);
  cfg.now = int64_t(now);
  cfg.zone_offset_minutes = zone_offset_minutes(now);
  cfg.user_addresses = {user};  // RFC 5230 §4.5: the account's own address besides env.to
  VacationMemory memory(VacationMemory::file_for(options_.data_dir, user));
  cfg.vacation_seen_recently = [&memory, now](std::string_view key, int64_t) {
    return memory.seen(key, int64_t(now));
  };
  auto actions = sieve::run(**script, msg, env, cfg);
  if (!actions) return keep("sieve run-time error, kept: " + actions.error().detail);

  DeliveryPlan plan = plan_from_actions(*actions, *fallback, cfg.mailbox_exists);
  if (!plan.redirects.empty() && delivered_before(msg.raw, envelope.recipient.address)) {
    add_note(plan.note, "redirect would loop (Delivered-To is this recipient), kept");
    plan.redirects.clear();
    if (std::none_of(plan.targets.begin(), plan.targets.end(),
                     [&](const DeliveryTarget& t) { return t.mailbox == *fallback; }))
      plan.targets.push_back(DeliveryTarget{*fallback, {}, false});
  }
  return plan;
}

namespace {

// Copies a spool file into a message being stored, a chunk at a time.
Status copy_file(const std::filesystem::path& file, store::IncomingMessage& out) {
  Fd in{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return make_error(Errc::internal, "cannot open " + file.string() + ": " + std::strerror(errno));
  std::string chunk(kCopyChunk, '\0');
  for (;;) {
    ssize_t n = ::read(in.fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(Errc::internal, "cannot read " + file.string() + ": " + std::strerror(errno));
    if (n == 0) return {};
    if (Status s = out.write(std::string_view(chunk.data(), size_t(n))); !s) return s;
  }
}

}  // namespace

Result<StoredCopy> store_copy(store::Account& account, const SpooledMessage& spooled,
                              const DeliveryEnvelope& envelope, const DeliveryTarget& target) {
  auto mailbox = account.lookup(target.mailbox);
  if (!mailbox && mailbox.code() == Errc::not_found && target.create) {
    mailbox = account.create(target.mailbox);
    if (!mailbox && mailbox.code() == Errc::already_exists) mailbox = account.lookup(target.mailbox);
  }
  if (!mailbox) return mailbox.error();
  auto incoming = account.begin_message();
  if (!incoming) return incoming.error();
  if (Status s = (*incoming)->write(trace_fields(envelope)); !s) return s.error();
  Status copied = spooled.bytes ? (*incoming)->write(*spooled.bytes) : copy_file(spooled.file, **incoming);
  if (!copied) return copied.error();
  uint64_t size = (*incoming)->size();
  std::vector<store::NewMessage> messages;
  messages.push_back(store::NewMessage{std::move(*incoming), target.flags, std::nullopt, 0});
  auto appended = account.append(*mailbox, std::move(messages));
  if (!appended) return appended.error();
  if (appended->uids.empty()) return make_error(Errc::internal, "append returned no UID");
  return StoredCopy{target.mailbox, appended->uidvalidity, appended->uids.front(), size};
}

Result<DeliveryResult> Delivery::deliver(const SpooledMessage& spooled, const DeliveryEnvelope& envelope) {
  const std::string& user = envelope.recipient.user;
  auto account = store_.open(user);
  if (!account) return account.error();
  auto plan = plan_delivery(**account, spooled, envelope);
  if (!plan) return plan.error();
  std::string notes = std::move(plan->note);
  auto log_notes = [&] {
    if (!notes.empty())
      spdlog::warn("deliver rcpt=<{}> user={}: {}", ascii::printable(envelope.recipient.address, 256),
                   user, notes);
  };
  DeliveryResult result;
  if (plan->reject) {  // RFC 5429 §2.1: refused at the protocol level, nothing stored
    result.rejected = reply_text(*plan->reject);
    log_notes();
    return result;
  }

  // Once the message went somewhere, later failures are logged, not
  // returned: an MTA retry would duplicate what was done.
  auto done_something = [&] { return !result.stored.empty() || !result.redirected.empty(); };
  auto stored_in = [&](const std::string& mailbox) {
    return std::any_of(result.stored.begin(), result.stored.end(),
                       [&](const StoredCopy& c) { return c.mailbox == mailbox; });
  };
  auto store_target = [&](const DeliveryTarget& target) -> Status {
    if (stored_in(target.mailbox)) return {};
    auto copy = store_copy(**account, spooled, envelope, target);
    if (!copy && (copy.code() == Errc::not_found || copy.code() == Errc::invalid) &&
        target.mailbox != "INBOX") {
      // Gone since the plan, or a name the store refuses: INBOX instead.
      add_note(notes, "mailbox \"" + ascii::printable(target.mailbox) + "\" unusable (" +
                          copy.error().detail + "), INBOX instead");
      DeliveryTarget inbox{"INBOX", target.flags, false};
      if (stored_in(inbox.mailbox)) return {};
      copy = store_copy(**account, spooled, envelope, inbox);
    }
    if (!copy) {
      if (!done_something()) return copy.error();
      add_note(notes, "a copy failed: " + std::string(errc_name(copy.code())) + ": " + copy.error().detail);
      return {};
    }
    result.stored.push_back(std::move(*copy));
    return {};
  };
  for (const DeliveryTarget& target : plan->targets)
    if (Status s = store_target(target); !s) {
      log_notes();
      return s.error();
    }

  if (!plan->redirects.empty()) {
    bool keep = true;
    if (!mailer_) {
      add_note(notes, "redirect: no smtp_relay configured, kept");
    } else {
      // RFC 5228 §4.2: the original envelope sender (the null path stays null).
      OutgoingMail mail{envelope.sender, plan->redirects,
                        "Delivered-To: " + envelope.recipient.address + "\r\n", {}};
      if (spooled.bytes)
        mail.head.append(*spooled.bytes);
      else
        mail.body_file = spooled.file;
      auto sent = mailer_(mail);
      if (!sent) {
        add_note(notes, "redirect failed, kept: " + sent.error().detail);
      } else {
        for (const std::string& to : plan->redirects)
          if (std::find(sent->refused.begin(), sent->refused.end(), to) == sent->refused.end())
            result.redirected.push_back(to);
        keep = !sent->refused.empty();
        if (keep) add_note(notes, "redirect refused for some recipients, kept");
      }
    }
    if (keep)
      if (Status s = store_target(DeliveryTarget{plan->default_mailbox, {}, false}); !s) {
        log_notes();
        return s.error();
      }
  }

  if (plan->vacation) {
    const sieve::VacationAction& v = *plan->vacation;
    if (!mailer_) {
      add_note(notes, "vacation: no smtp_relay configured, no reply");
    } else {
      VacationMemory memory(VacationMemory::file_for(options_.data_dir, user));
      auto claimed = memory.claim(v.key, v.days, int64_t(std::time(nullptr)));
      if (!claimed) {
        add_note(notes, "vacation memory: " + claimed.error().detail);
      } else if (*claimed) {
        // RFC 5230 §5.1 / RFC 3834 §3.3: MAIL FROM:<>, so no reply answers it.
        auto sent = mailer_(OutgoingMail{"", {v.to}, v.message, {}});
        if (sent) {
          result.vacation_to = v.to;
        } else {
          add_note(notes, "vacation reply not sent: " + sent.error().detail);
          (void)memory.forget(v.key);
        }
      }
    }
  }
  log_notes();
  return result;
}

}  // namespace courriel::lmtp
