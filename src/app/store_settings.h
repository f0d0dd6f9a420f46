// The store as every command of the binary opens it (serve, mailbox, index):
// one place that says where the mail is and what is cached with it.
#pragma once

#include "app/config.h"
#include "store/store.h"

namespace courriel::app {

store::StoreSettings store_settings(const Config& config);

}  // namespace courriel::app
