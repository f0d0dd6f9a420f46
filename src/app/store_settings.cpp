#include "app/store_settings.h"

#include <spdlog/spdlog.h>

#include "imap/message_format.h"
#include "mail/cache.h"
#include "search/thread.h"

namespace courriel::app {

store::StoreSettings store_settings(const Config& config) {
  store::StoreSettings settings;
  settings.data_dir = config.data_dir;
  settings.default_storage_limit = config.default_storage_limit;
  settings.default_message_limit = config.default_message_limit;
  // ENVELOPE, BODYSTRUCTURE and the header block, kept in the index.
  // Beside the blob, kept apart by the store: the ENVELOPE/BODY/BODYSTRUCTURE
  // answers and the THREAD/SORT key.
  settings.make_cache = [](std::string_view message) {
    mail::BuiltCache built =
        mail::build_cache(message, [](const mail::ParsedMessage& parsed, std::string_view header) {
          auto extras = imap::cache_extras(parsed, header);
          extras.push_back({search::kCachedThreadKey, search::encode_thread_key(search::thread_key(header))});
          return extras;
        });
    store::CacheEntry entry{std::move(built.blob), {}};
    for (auto& e : built.extras) entry.extras.emplace_back(e.tag, std::move(e.text));
    return entry;
  };
  settings.cache_extra_tags = {imap::kCachedEnvelope, imap::kCachedBody, imap::kCachedBodyStructure,
                               imap::kCachedHeaderFields, search::kCachedThreadKey};
  settings.on_repair = [](const std::string& user, const std::string& what) {
    spdlog::warn("store: {}: {}", user, what);
  };
  return settings;
}

lmtp::DeliveryOptions delivery_options(const Config& config) {
  return lmtp::DeliveryOptions{.recipient_delimiter = config.recipient_delimiter,
                               .detail_to_folder = config.detail_to_folder,
                               .data_dir = config.data_dir,
                               .quota_full_permanent = config.quota_full_permanent};
}

lmtp::Mailer delivery_mailer(const Config& config) {
  if (!config.smtp_relay) return {};
  lmtp::SmtpRelay relay{.address = *config.smtp_relay, .helo = config.hostname};
  return [relay](const lmtp::OutgoingMail& mail) { return lmtp::send_mail(relay, mail); };
}

}  // namespace courriel::app
