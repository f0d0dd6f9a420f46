// The Maildir++ layout (DESIGN.md §3): how IMAP mailbox names map to folder
// directories and how message file names carry UIDs, sizes and flags.
//
// Folder names follow Dovecot's and Courier's default Maildir++ layout, so
// their Maildirs are served as they are: INBOX is the Maildir itself; every
// other mailbox is a directory "<Maildir>/.<seg1>.<seg2>..." where each segment
// of the IMAP name (separator '/') is encoded in modified UTF-7 (RFC 3501
// §5.1.3). A '.' inside a segment cannot stand for itself (it separates levels
// on disk), so it is written as the modified UTF-7 form of U+002E, "&AC4-";
// decoding gives the '.' back with no extra escape character. Dovecot shows
// such a folder as a name containing "&AC4-" decoded, i.e. the same '.'.
//
// File names: "<base>,S=<size>,U=<uid>:2,<letters>" where <base> is the unique
// Maildir name ("<sec>.M<usec>P<pid>Q<seq>.<host>"), S= the file size, U= the
// IMAP UID (so a lost index is rebuilt without new UIDs) and the letters the
// Maildir flags in ASCII order: D=\Draft F=\Flagged R=\Answered S=\Seen
// T=\Deleted. Other fields written by other programs (W=, P letters, Dovecot
// keyword letters a-z) are accepted when reading.
//
// Pure functions; no I/O except make_unique_name (time, pid, hostname).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace courriel::store::maildir {

// Longest mailbox name accepted, in UTF-8 bytes (fits an LMDB key).
inline constexpr size_t kMaxNameBytes = 400;
// Longest folder directory name (NAME_MAX is 255).
inline constexpr size_t kMaxFolderBytes = 250;

// Folder names use base/mutf7.h with '.' also encoded ("&AC4-"), and
// base/utf8.h's valid_utf8 for raw UTF-8 names.

// Checks a mailbox name (UTF-8, '/' separated): invalid for empty names or
// segments, a leading or trailing '/', "." or ".." segments, control
// characters, '%' or '*', bad UTF-8, or a name too long for the index or for a
// folder directory.
Status validate_name(std::string_view name);

// The folder directory (relative to the Maildir) of a valid name: "" for
// INBOX, ".Sent", ".a.b", ".INBOX.foo".
std::string folder_for_name(std::string_view name);
// The name of a folder directory found on disk (".a.b" -> "a/b"), nullopt if
// it is not a mailbox folder name we can serve.
std::optional<std::string> name_for_folder(std::string_view dir);

// System flag bits (store.h SystemFlag) <-> Maildir info letters.
std::string flags_to_letters(uint8_t system);
uint8_t letters_to_flags(std::string_view letters);

// A message file name taken apart.
struct FileName {
  std::string base;              // up to the first ',' or ':'
  std::optional<uint64_t> size;  // S=
  std::optional<uint32_t> uid;   // U=
  uint8_t flags = 0;             // from ":2,<letters>"
  std::string keyword_letters;   // Dovecot's keyword letters a-z (see dovecot-keywords)
};
FileName parse_file_name(std::string_view name);
std::string make_file_name(std::string_view base, uint64_t size, uint32_t uid, uint8_t flags);

// A new unique base name per the Maildir spec, unique within this host.
std::string make_unique_name();

}  // namespace courriel::store::maildir
