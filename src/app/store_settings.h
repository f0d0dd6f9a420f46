// The store as every command of the binary opens it (serve, mailbox, index):
// one place that says where the mail is and what is cached with it; and the
// delivery pipeline as `serve` (LMTP) and `deliver` both set it up.
#pragma once

#include "app/config.h"
#include "lmtp/delivery.h"
#include "store/store.h"

namespace courriel::app {

store::StoreSettings store_settings(const Config& config);

// Subaddressing, Sieve (scripts under data_dir), the quota reply.
lmtp::DeliveryOptions delivery_options(const Config& config);
// Sends through [delivery] smtp_relay; empty when there is none.
lmtp::Mailer delivery_mailer(const Config& config);

}  // namespace courriel::app
