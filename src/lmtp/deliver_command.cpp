#include "lmtp/deliver_command.h"

#include <cstring>
#include <string>

#include "base/ascii.h"
#include "lmtp/proto/command.h"
#include "lmtp/proto/framing.h"
#include "lmtp/spool.h"

namespace courriel::lmtp {
namespace {

int fail(std::FILE* err, int code, const std::string& message) {
  std::fprintf(err, "courriel deliver: %s\n", message.c_str());
  return code;
}

// The one mapping from errors to exit codes, as the LMTP session's to replies.
int exit_code_for(Errc code, bool quota_full_permanent) {
  switch (code) {
    case Errc::not_found:
    case Errc::invalid: return kExitNoUser;
    case Errc::too_big: return kExitDataErr;
    case Errc::over_quota: return quota_full_permanent ? kExitCantCreat : kExitTempFail;
    default: return kExitTempFail;
  }
}

}  // namespace

int deliver_from_stream(std::FILE* in, const DeliverRequest& request, auth::UserDb& users,
                        Delivery& delivery, std::FILE* err) {
  const DeliveryOptions& options = delivery.options();
  // The sender goes into Return-Path: the same syntax rules as MAIL FROM.
  std::string sender = request.sender == "<>" ? "" : request.sender;
  auto checked = parse_command("MAIL FROM:<" + sender + ">");
  if (!checked.ok() || checked.command->address != sender)
    return fail(err, kExitDataErr, "bad sender address '" + ascii::printable(sender, 256) + "'");
  auto rcpt = parse_command("RCPT TO:<" + request.recipient + ">");
  if (!rcpt.ok() || rcpt.command->address != request.recipient)
    return fail(err, kExitNoUser, "bad recipient address '" + ascii::printable(request.recipient, 256) + "'");

  auto recipient = resolve_recipient(users, request.recipient, options);
  if (!recipient) {
    int code = exit_code_for(recipient.code(), options.quota_full_permanent);
    return fail(err, code, (code == kExitNoUser ? "unknown user " : "user lookup failed for ") +
                               ascii::printable(request.recipient, 256) + ": " +
                               recipient.error().detail);
  }

  auto spool = SpoolFile::create(request.spool_dir);
  if (!spool) return fail(err, kExitTempFail, spool.error().detail);
  BodyDecoder decoder(BodyDecoder::Mode::raw);
  std::string buf(64 * 1024, '\0');
  std::string decoded;
  bool first = true;
  for (;;) {
    size_t n = std::fread(buf.data(), 1, buf.size(), in);
    if (n == 0) break;
    std::string_view chunk(buf.data(), n);
    if (first) {
      first = false;
      // An mbox-style envelope line ("From sender date") some MTAs add.
      if (chunk.starts_with("From ")) {
        auto lf = chunk.find('\n');
        if (lf != std::string_view::npos) chunk.remove_prefix(lf + 1);
      }
    }
    decoder.feed(chunk, decoded);
    if ((*spool)->size() + decoded.size() > request.max_message_size)
      return fail(err, kExitDataErr, "message larger than " + std::to_string(request.max_message_size) + " bytes");
    if (Status s = (*spool)->write(decoded); !s) return fail(err, kExitTempFail, s.error().detail);
    decoded.clear();
  }
  if (std::ferror(in)) return fail(err, kExitTempFail, std::string("cannot read stdin: ") + std::strerror(errno));
  decoder.finish(decoded);
  if (Status s = (*spool)->write(decoded); !s) return fail(err, kExitTempFail, s.error().detail);

  DeliveryEnvelope envelope{sender, std::move(*recipient)};
  auto result = delivery.deliver((*spool)->message(), envelope);
  if (!result)
    return fail(err,
                exit_code_for(result.code() == Errc::not_found ? Errc::internal : result.code(),
                              options.quota_full_permanent),
                "delivery to " + envelope.recipient.user + " failed: " + result.error().detail);
  if (result->rejected) return fail(err, kExitNoPerm, "rejected: " + *result->rejected);
  return kExitOk;
}

}  // namespace courriel::lmtp
