// The Maildir++ backend with a per-user LMDB index (DESIGN.md §3): the
// admin and recovery entry points besides make_maildir_store() (store.h).
//
// Layout per user "local@domain" under StoreSettings::data_dir:
//   <domain>/<local>/Maildir/{cur,new,tmp}   INBOX (see maildir/layout.h for
//   <domain>/<local>/Maildir/.<name>/...      folder and file naming)
//   <domain>/<local>/index/                   the LMDB environment
// Each folder also holds "courriel-uidvalidity" ("<UIDVALIDITY>[ <UIDNEXT>]",
// so a rebuilt index keeps UIDVALIDITY and never reuses the UIDs of expunged
// newest messages) and "maildirfolder" (Maildir++ marker). The Maildir holds
// Dovecot's v2 "subscriptions" file, kept in step with the index. Dovecot's
// "dovecot-uidlist" is read when an index is built from a Maildir (import),
// never written.
//
// Crash rules: a message file is fsynced in tmp/, renamed into cur/ with its
// UID inside the index write transaction, cur/ is fsynced, then the
// transaction commits; a file in cur/ with a U= the index does not know and
// >= UIDNEXT is adopted with that UID at the next scan. STORE commits the
// new flags and records, in the index's "lagging" table, the letters each
// file name still has; a background thread of the account (the renamer)
// then renames the files and drops the entries, in batches, before the
// account closes (or at the next open after a crash). File lookups use the
// lagging letters; a scan that finds a known file with letters that are
// neither its lagging ones nor the index's takes them as a flag change by
// another program (mutt).
// Expunged files are unlinked after the commit; a scan unlinks any that a
// crash left. Scans happen when new/ or cur/ changed (mtime) since the last.
//
// Thread-safety: every function here may be called from any thread, also
// while the same account is open through a Store in this process (the
// environment is shared: one per account per process).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace courriel::store {

// Rebuilds `user`'s index from the Maildir, keeping UIDVALIDITY (from each
// folder's courriel-uidvalidity or dovecot-uidlist), UIDs (",U=" in file
// names, else dovecot-uidlist) and flags (":2," letters); keywords and
// INTERNALDATE offsets are kept from the old index where it is readable. The
// old index is first copied to "<user>/index.old-<unix time>/".
Status rebuild_index(const StoreSettings& settings, const std::string& user);

// Human-readable disagreements between `user`'s index and Maildir (missing
// files, unknown files, flag or UID mismatches, missing folders); empty when
// they agree. Files in new/ not yet picked up are reported as unknown.
Result<std::vector<std::string>> check_index(const StoreSettings& settings, const std::string& user);

// Renames now every file whose ":2," letters lag its flags (the renamer
// does it in the background otherwise): for tests and admin commands.
Status settle_file_names(Account& account);

// Counters of one open account, for tests and benchmarks.
struct MaildirCounters {
  uint64_t append_batches = 0;  // group commits (one LMDB commit + dir fsyncs each)
  uint64_t appended = 0;        // messages stored by append()
  uint64_t scans = 0;           // directory scans (new/ or cur/ changed)
  uint64_t rebuilds = 0;        // index rebuilds since the account was opened
};
// nullopt if `account` is not a Maildir account.
std::optional<MaildirCounters> maildir_counters(const Account& account);

}  // namespace courriel::store
