// SelectedMailbox: one session's view of its selected mailbox (RFC 9051
// §7.4.1, RFC 3501 §7.4.1): the sequence-number -> UID map as this client
// knows it, and the rules for bringing it up to date.
//
// Sequence numbers belong to the session. Changes made by others (or by this
// session through the store) reach the view only through apply(), which the
// session calls at the moments the RFC allows, and which writes the untagged
// EXISTS / EXPUNGE / FETCH responses that tell the client. Expunges are held
// back while a FETCH, STORE or SEARCH by sequence number runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "imap/parser/command.h"
#include "imap/uid_sequence.h"
#include "store/store.h"

namespace courriel::imap {

class SelectedMailbox {
 public:
  SelectedMailbox(std::string name, store::MailboxSnapshot snapshot, bool read_only);

  const std::string& name() const { return name_; }
  store::MailboxId id() const { return id_; }
  uint32_t uidvalidity() const { return uidvalidity_; }
  bool read_only() const { return read_only_; }
  uint64_t modseq_seen() const { return modseq_seen_; }
  uint32_t uidnext_seen() const { return uidnext_; }

  // Messages as the client knows them (its last EXISTS).
  uint32_t exists() const { return uids_.size(); }
  uint32_t uid_at(uint32_t seq) const { return uids_.at(seq); }
  // 0 when the UID is not in the view.
  uint32_t seq_of(uint32_t uid) const { return uids_.seq_of(uid); }
  bool recent(uint32_t uid) const { return uid >= first_recent_uid_ && first_recent_uid_ != 0; }
  uint32_t recent_count() const;
  const std::vector<std::string>& keywords() const { return keywords_; }
  // Sequence number of the first message without \Seen at SELECT time (RFC
  // 3501 §7.1 [UNSEEN]); 0 if none.
  uint32_t first_unseen() const { return first_unseen_; }

  // The UIDs (ascending, unique, present in the view) that `set` names, as
  // sequence numbers or (uid) as UIDs. A sequence number past the end is an
  // error (BAD); UIDs that do not exist are skipped (RFC 9051 §6.4.8). `*` is
  // the last message; in a UID range it always includes the last UID. "$" is
  // the saved search result, empty when none was saved (RFC 5182 §2.1).
  Result<std::vector<uint32_t>> resolve(const SequenceSet& set, bool uid) const;

  // Brings the view up to `changes`, writing the untagged responses into `out`:
  // "* n EXPUNGE" (only when expunges_allowed; otherwise they wait),
  // "* n EXISTS" (and "* n RECENT" for rev1), "* n FETCH (UID u FLAGS (...))"
  // for flag changes this session has not already reported, and a new FLAGS /
  // PERMANENTFLAGS when new keywords appear.
  void apply(const store::Changes& changes, bool expunges_allowed, std::string& out);

  // This session reported these messages' flags itself (STORE): apply() does
  // not repeat them unless they changed again.
  void reported(const store::MessageMeta& meta) { reported_[meta.uid] = meta.modseq; }
  // This session expunged these UIDs (EXPUNGE, MOVE): writes "* n EXPUNGE".
  void expunge_now(const std::vector<uint32_t>& uids, std::string& out);
  // The SEARCHRES saved result "$" (RFC 5182 §2.1), as UIDs; nullopt: none.
  void save_result(std::vector<uint32_t> uids) { saved_ = std::move(uids); }
  const std::optional<std::vector<uint32_t>>& saved_result() const { return saved_; }
  const UidSequence& sequence() const { return uids_; }
  // Learns keywords from messages (FETCH FLAGS responses must match FLAGS).
  void learn_keywords(const store::Flags& flags, std::string& out);

 private:
  void remove_uids(std::vector<uint32_t> uids, std::string& out);

  std::string name_;
  store::MailboxId id_;
  uint32_t uidvalidity_;
  bool read_only_;
  UidSequence uids_;
  uint32_t uidnext_;
  uint64_t modseq_seen_;
  uint32_t first_recent_uid_;
  uint32_t first_unseen_ = 0;
  std::vector<std::string> keywords_;           // sorted case-insensitively
  std::vector<uint32_t> pending_expunges_;      // seen in the store, not yet told; ascending
  std::unordered_map<uint32_t, uint64_t> reported_;  // uid -> modseq told by STORE
  std::optional<std::vector<uint32_t>> saved_;        // "$"
};

}  // namespace courriel::imap
