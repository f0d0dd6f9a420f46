#include "imap/search_access.h"

#include "mail/header_section.h"

namespace courriel::imap {

StoreMessageAccess::StoreMessageAccess(store::Account& account, store::MailboxId mailbox,
                                       uint32_t seq, store::MessageMeta meta, bool recent,
                                       std::string cache_blob)
    : account_(account),
      mailbox_(mailbox),
      seq_(seq),
      meta_(std::move(meta)),
      recent_(recent),
      blob_(std::move(cache_blob)),
      cache_(mail::view_cache(blob_)) {}

std::string_view StoreMessageAccess::raw() {
  if (!raw_) {
    raw_.emplace();
    // A message expunged meanwhile reads as empty: it simply matches less.
    if (auto file = account_.open_message(mailbox_, meta_.uid)) {
      raw_->resize(size_t((*file)->size()));
      auto n = (*file)->read(0, *raw_);
      raw_->resize(n ? *n : 0);
    }
  }
  return *raw_;
}

std::string_view StoreMessageAccess::header() {
  if (header_) return *header_;  // set_header(), or read from the file below
  if (cache_ && cache_->header_complete) return cache_->header;
  if (!header_) {
    std::string_view whole = raw();
    header_ = std::string(whole.substr(0, mail::body_offset(whole).value_or(whole.size())));
  }
  return *header_;
}

const mail::ParsedMessage& StoreMessageAccess::parsed() {
  // The structure is decoded only for keys that need it (header keys do not).
  if (!parsed_ && cache_)
    if (auto p = cache_->parse()) parsed_ = std::make_unique<mail::ParsedMessage>(std::move(*p));
  if (!parsed_) parsed_ = std::make_unique<mail::ParsedMessage>(mail::parse_message(raw()));
  return *parsed_;
}

}  // namespace courriel::imap
