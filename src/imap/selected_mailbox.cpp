#include "imap/selected_mailbox.h"

#include <algorithm>

#include "base/ascii.h"
#include "imap/flags.h"

namespace courriel::imap {
namespace {

bool keyword_less(const std::string& a, const std::string& b) {
  return ascii::lower(a) < ascii::lower(b);
}

}  // namespace

SelectedMailbox::SelectedMailbox(std::string name, store::MailboxSnapshot snapshot, bool read_only)
    : name_(std::move(name)),
      id_(snapshot.id),
      uidvalidity_(snapshot.uidvalidity),
      read_only_(read_only),
      uidnext_(snapshot.uidnext),
      modseq_seen_(snapshot.highest_modseq),
      first_recent_uid_(snapshot.first_recent_uid) {
  uids_ = UidSequence(snapshot.uid_ranges);
  if (snapshot.first_unseen_uid) first_unseen_ = seq_of(snapshot.first_unseen_uid);
  std::string ignored;
  learn_keywords(store::Flags{0, std::move(snapshot.keywords)}, ignored);
}

uint32_t SelectedMailbox::recent_count() const {
  if (first_recent_uid_ == 0) return 0;
  return uids_.count_from(first_recent_uid_);
}

Result<std::vector<uint32_t>> SelectedMailbox::resolve(const SequenceSet& set, bool uid) const {
  std::vector<uint32_t> out;
  if (set.saved) {
    if (saved_)
      for (uint32_t uid : *saved_)
        if (seq_of(uid) != 0) out.push_back(uid);
    return out;
  }
  if (uids_.empty()) {
    if (uid) return out;  // nothing matches, which is not an error (RFC 9051 §6.4.8)
    return make_error(Errc::invalid, "Invalid message sequence number: the mailbox is empty");
  }
  uint32_t last = uid ? uids_.back() : exists();
  for (const SeqRange& r : set.ranges) {
    uint32_t a = r.first == SeqRange::kStar ? last : r.first;
    uint32_t b = r.last == SeqRange::kStar ? last : r.last;
    uint32_t lo = std::min(a, b), hi = std::max(a, b);
    if (uid) {
      uids_.append_by_uid(lo, hi, out);
    } else {
      if (hi > exists())
        return make_error(Errc::invalid, "Invalid message sequence number " + std::to_string(hi));
      uids_.append_by_seq(std::max(lo, 1u), hi, out);
    }
  }
  if (set.ranges.size() > 1) {  // one range comes out ascending and unique
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return out;
}

void SelectedMailbox::learn_keywords(const store::Flags& flags, std::string& out) {
  bool added = false;
  for (const auto& k : flags.keywords) {
    auto pos = std::lower_bound(keywords_.begin(), keywords_.end(), k, keyword_less);
    if (pos == keywords_.end() || !ascii::iequals(*pos, k)) {
      keywords_.insert(pos, k);
      added = true;
    }
  }
  // RFC 9051 §7.3.5: a new keyword changes the mailbox's FLAGS.
  if (added) {
    out += "* " + flags_response(keywords_) + "\r\n";
    out += "* OK [" + permanent_flags_code(keywords_) + "] Flags permitted\r\n";
  }
}

void SelectedMailbox::remove_uids(std::vector<uint32_t> uids, std::string& out) {
  if (!std::is_sorted(uids.begin(), uids.end())) std::sort(uids.begin(), uids.end());
  // Highest first: each reported number is right at the moment it is read,
  // and the ones after it need no renumbering. The view then shrinks in one
  // pass (expunging 100,000 messages must not move the array 100,000 times).
  for (auto it = uids.rbegin(); it != uids.rend(); ++it) {
    uint32_t seq = seq_of(*it);
    if (seq == 0) continue;  // never told to this client
    reported_.erase(*it);
    out += "* " + std::to_string(seq) + " EXPUNGE\r\n";
  }
  uids_.erase(uids);
}

void SelectedMailbox::expunge_now(const std::vector<uint32_t>& uids, std::string& out) {
  remove_uids(uids, out);
}

void SelectedMailbox::apply(const store::Changes& changes, bool expunges_allowed,
                            std::string& out) {
  if (!changes.expunged.empty()) {
    pending_expunges_.insert(pending_expunges_.end(), changes.expunged.begin(),
                             changes.expunged.end());
    std::sort(pending_expunges_.begin(), pending_expunges_.end());
    pending_expunges_.erase(std::unique(pending_expunges_.begin(), pending_expunges_.end()),
                            pending_expunges_.end());
  }
  if (expunges_allowed && !pending_expunges_.empty()) {
    remove_uids(std::move(pending_expunges_), out);
    pending_expunges_.clear();
  }
  auto expunged_pending = [&](uint32_t uid) {
    return std::binary_search(pending_expunges_.begin(), pending_expunges_.end(), uid);
  };

  uint32_t before = exists();
  uint32_t last_uid = uids_.empty() ? 0 : uids_.back();
  std::string fetches;
  for (const auto& m : changes.updated) {
    if (std::binary_search(changes.expunged.begin(), changes.expunged.end(), m.uid)) continue;
    if (m.uid > last_uid) {
      // A new message (RFC 9051 §7.4.1: announced with EXISTS).
      uids_.push_back(m.uid);
      last_uid = m.uid;
      learn_keywords(m.flags, out);
      continue;
    }
    uint32_t seq = seq_of(m.uid);
    if (seq == 0 || expunged_pending(m.uid)) continue;
    auto told = reported_.find(m.uid);
    if (told != reported_.end() && told->second >= m.modseq) continue;
    learn_keywords(m.flags, out);
    fetches += "* " + std::to_string(seq) + " FETCH (UID " + std::to_string(m.uid) + " FLAGS ";
    append_flags(fetches, m.flags, recent(m.uid));
    fetches += ")\r\n";
  }
  if (exists() != before) {
    out += "* " + std::to_string(exists()) + " EXISTS\r\n";
    out += "* " + std::to_string(recent_count()) + " RECENT\r\n";
  }
  out += fetches;
  reported_.clear();
  uidnext_ = std::max(uidnext_, changes.uidnext);
  modseq_seen_ = std::max(modseq_seen_, changes.highest_modseq);
}

}  // namespace courriel::imap
