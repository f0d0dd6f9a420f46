// MessageAccess over the store: what SEARCH, SORT and THREAD evaluate, one
// message at a time, reading the index cache first and the message file only
// when a key needs the body. Runs on the blocking pool (it reads files
// synchronously); one object per message, not shared between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "mail/cache.h"
#include "search/search.h"
#include "store/store.h"

namespace courriel::imap {

class StoreMessageAccess : public search::MessageAccess {
 public:
  StoreMessageAccess(store::Account& account, store::MailboxId mailbox, uint32_t seq,
                     store::MessageMeta meta, bool recent, std::string cache_blob);

  uint32_t seq() const override { return seq_; }
  const store::MessageMeta& meta() const override { return meta_; }
  bool recent() const override { return recent_; }
  std::string_view header() override;
  const mail::ParsedMessage& parsed() override;
  std::string_view raw() override;
  std::optional<std::string_view> cached(char tag) override {
    if (extra_ && extra_->first == tag) return extra_->second;
    return std::nullopt;
  }
  // The make_cache extra with `tag` (Account::cache_extras), for cached().
  void set_cached(char tag, std::string text) { extra_.emplace(tag, std::move(text)); }
  // What header() returns: a subset of the header with every field this
  // evaluation reads (the cached common fields).
  void set_header(std::string fields) { header_ = std::move(fields); }

 private:
  store::Account& account_;
  store::MailboxId mailbox_;
  uint32_t seq_;
  store::MessageMeta meta_;
  bool recent_;
  std::string blob_;                       // the index cache entry
  std::optional<mail::CacheView> cache_;   // views into blob_
  std::optional<std::string> raw_;  // the whole message, read on demand
  // Decoded only for keys that need it; a pointer, so that the 100,000
  // accesses of a SORT do not each carry a ParsedMessage's kilobyte.
  std::unique_ptr<mail::ParsedMessage> parsed_;
  std::optional<std::string> header_;
  std::optional<std::pair<char, std::string>> extra_;
};

}  // namespace courriel::imap
