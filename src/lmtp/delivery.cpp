#include "lmtp/delivery.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/user_name.h"
#include "base/ascii.h"
#include "lmtp/proto/command.h"

namespace courriel::lmtp {
namespace {

constexpr size_t kCopyChunk = 256 * 1024;

// Closes a file descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

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

Result<DeliveryPlan> plan_delivery(store::Account& account, const std::filesystem::path& spooled,
                                   const DeliveryEnvelope& envelope,
                                   const DeliveryOptions& options) {
  (void)spooled;  // a Sieve script will read the headers from it
  DeliveryPlan plan;
  const std::string& detail = envelope.recipient.detail;
  std::string mailbox = "INBOX";
  if (options.detail_to_folder && !detail.empty() && !ascii::iequals(detail, "INBOX")) {
    // Only into a mailbox that exists: a subaddress never creates one.
    auto id = account.lookup(detail);
    if (id) {
      mailbox = detail;
    } else if (id.code() != Errc::not_found && id.code() != Errc::invalid) {
      return id.error();
    }
  }
  plan.targets.push_back(DeliveryTarget{std::move(mailbox), {}});
  return plan;
}

Result<StoredCopy> store_copy(store::Account& account, const std::filesystem::path& spooled,
                              const DeliveryEnvelope& envelope, const DeliveryTarget& target) {
  auto mailbox = account.lookup(target.mailbox);
  if (!mailbox) return mailbox.error();
  Fd in{::open(spooled.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0)
    return make_error(Errc::internal, "cannot open " + spooled.string() + ": " + std::strerror(errno));
  auto incoming = account.begin_message();
  if (!incoming) return incoming.error();
  if (Status s = (*incoming)->write(trace_fields(envelope)); !s) return s.error();
  std::string chunk(kCopyChunk, '\0');
  for (;;) {
    ssize_t n = ::read(in.fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return make_error(Errc::internal, "cannot read " + spooled.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    if (Status s = (*incoming)->write(std::string_view(chunk.data(), size_t(n))); !s) return s.error();
  }
  uint64_t size = (*incoming)->size();
  std::vector<store::NewMessage> messages;
  messages.push_back(store::NewMessage{std::move(*incoming), target.flags, std::nullopt, 0});
  auto appended = account.append(*mailbox, std::move(messages));
  if (!appended) return appended.error();
  if (appended->uids.empty()) return make_error(Errc::internal, "append returned no UID");
  return StoredCopy{target.mailbox, appended->uidvalidity, appended->uids.front(), size};
}

Result<DeliveryResult> deliver_message(store::Store& store, const std::filesystem::path& spooled,
                                       const DeliveryEnvelope& envelope,
                                       const DeliveryOptions& options) {
  auto account = store.open(envelope.recipient.user);
  if (!account) return account.error();
  auto plan = plan_delivery(**account, spooled, envelope, options);
  if (!plan) return plan.error();
  DeliveryResult result;
  for (const DeliveryTarget& target : plan->targets) {
    auto copy = store_copy(**account, spooled, envelope, target);
    if (!copy) return copy.error();
    result.stored.push_back(std::move(*copy));
  }
  return result;
}

}  // namespace courriel::lmtp
