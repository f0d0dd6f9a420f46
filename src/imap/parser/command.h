// The typed IMAP command AST produced by parse_command() (command_parser.h).
//
// One argument struct per command family; every string member owns its bytes
// (nothing here views the parsed input), so a Command may outlive the buffer it
// was parsed from. Strings stay raw bytes as the client sent them, except where
// a member's comment says it is normalised (upper-cased keywords, "INBOX").
// Mailbox names are NOT decoded from modified UTF-7 here: see mutf7.h.
//
// Grammar references: RFC 3501 §9 (IMAP4rev1), RFC 9051 §9 (IMAP4rev2), and
// the extension RFC named beside each struct.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace courriel::imap {

enum class CommandName {
  unknown,  // not a command we know; Command::name_text says what was sent
  capability,
  noop,
  logout,
  starttls,
  authenticate,
  login,
  enable,
  id,
  select,
  examine,
  create,
  delete_,
  rename,
  subscribe,
  unsubscribe,
  list,
  lsub,
  namespace_,
  status,
  append,
  check,
  close,
  unselect,
  expunge,
  search,
  fetch,
  store,
  copy,
  move,
  idle,
  sort,
  thread,
  getquota,
  getquotaroot,
  setquota,
  compress,
  getacl,
  setacl,
  deleteacl,
  listrights,
  myrights,
  getmetadata,
  setmetadata,
  unauthenticate,
};

// RFC 9051 §9: sequence-set. Ranges are kept as sent ("5:3" stays {5, 3}) and
// in order; kStar stands for "*" (the largest number in use), which the session
// resolves. 0 is never a valid seq-number, hence the sentinel.
struct SeqRange {
  static constexpr uint32_t kStar = 0;
  uint32_t first = 0;
  uint32_t last = 0;  // == first for a single number
  bool operator==(const SeqRange&) const = default;
};
struct SequenceSet {
  std::vector<SeqRange> ranges;  // empty iff saved
  bool saved = false;            // "$": the saved search result (RFC 5182)
  bool operator==(const SequenceSet&) const = default;
};

// A calendar date (search keys, RFC 3501 §6.4.4): validated, Gregorian.
struct Date {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31, valid for the month
  bool operator==(const Date&) const = default;
};

// date-time of APPEND (RFC 3501 §9): the instant, and the zone it was written in.
struct DateTime {
  int64_t epoch = 0;       // seconds since 1970-01-01T00:00:00Z
  int offset_minutes = 0;  // "+0130" -> 90, "-0800" -> -480
  bool operator==(const DateTime&) const = default;
};

// Flags are kept as strings: system flags in their canonical spelling
// ("\Seen"), keywords as sent (they compare case-insensitively later).
using FlagList = std::vector<std::string>;

// For commands without arguments (CAPABILITY, NOOP, LOGOUT, STARTTLS,
// NAMESPACE, CHECK, CLOSE, UNSELECT, EXPUNGE, IDLE, UNAUTHENTICATE) and for
// unknown commands.
struct NoArgs {};

struct LoginArgs {
  std::string user;
  std::string password;
};

// RFC 3501 §6.2.2, RFC 4959 (SASL-IR).
struct AuthenticateArgs {
  std::string mechanism;                        // upper-cased
  std::optional<std::string> initial_response;  // base64-decoded; "=" gives ""
};

// RFC 5161.
struct EnableArgs {
  std::vector<std::string> capabilities;  // upper-cased
};

// RFC 2971. nullopt params: the client sent NIL.
struct IdArgs {
  using Param = std::pair<std::string, std::optional<std::string>>;
  std::optional<std::vector<Param>> params;
};

// RFC 7162 §3.2.5: QRESYNC (uidvalidity modseq [known-uids [seq-match-data]]).
struct QresyncParams {
  uint32_t uidvalidity = 0;
  uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;
  // (known-sequence-set known-uid-set)
  std::optional<std::pair<SequenceSet, SequenceSet>> seq_match;
};

// SELECT / EXAMINE.
struct SelectArgs {
  std::string mailbox;
  bool condstore = false;  // RFC 7162 §3.1.8
  std::optional<QresyncParams> qresync;
};

// CREATE, with RFC 6154 §3 "USE (\Drafts ...)".
struct CreateArgs {
  std::string mailbox;
  std::vector<std::string> special_use;  // canonical spelling: "\Drafts"
};

// One mailbox argument: DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT, GETACL,
// MYRIGHTS. "INBOX" in any case becomes "INBOX".
struct MailboxArgs {
  std::string mailbox;
};

struct RenameArgs {
  std::string from;
  std::string to;
};

// STATUS items: RFC 9051 §6.3.11, plus SIZE (RFC 8438), APPENDLIMIT (RFC 7889),
// HIGHESTMODSEQ (RFC 7162) and RECENT (RFC 3501 only).
enum class StatusItem {
  messages,
  uidnext,
  uidvalidity,
  unseen,
  deleted,
  size,
  recent,
  highestmodseq,
  appendlimit,
};

// LIST (RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS,
// RFC 6154 SPECIAL-USE) and LSUB (only reference and one pattern).
struct ListArgs {
  // Selection options.
  bool select_subscribed = false;
  bool select_remote = false;
  bool select_recursive_match = false;
  bool select_special_use = false;
  std::string reference;              // raw, never INBOX-normalised
  std::vector<std::string> patterns;  // list-mailbox, at least one
  // Return options.
  bool return_subscribed = false;
  bool return_children = false;
  bool return_special_use = false;
  std::optional<std::vector<StatusItem>> return_status;
  // Whether the extended syntax was used (selection options, a pattern list
  // or return options): the response then follows RFC 5258.
  bool extended = false;
};

struct StatusArgs {
  std::string mailbox;
  std::vector<StatusItem> items;  // at least one, as sent
};

// One message of APPEND (RFC 3502 MULTIAPPEND sends several).
// A message literal the session streamed (CommandReader::stream_literal()) has
// streamed = true, data empty, size its announced size, and stream_index = k
// when it was the k-th (from 0) streamed literal of the command, i.e. the k-th
// literal the session received as literal_chunk steps (and the k-th entry of
// CommandReader::streamed_literals()): that is how the session finds the temp
// file it wrote. In one MULTIAPPEND, kept and streamed messages may mix.
struct AppendMessage {
  FlagList flags;
  std::optional<DateTime> internal_date;
  std::string data;     // the literal's bytes; empty when streamed
  bool binary = false;  // sent as literal8 (RFC 3516)
  bool utf8 = false;    // sent as UTF8 (~{n}) (RFC 6855 §4)
  bool streamed = false;    // the bytes were streamed, not kept in `data`
  uint64_t size = 0;        // the literal's size (== data.size() when kept)
  size_t stream_index = 0;  // when streamed: index among streamed literals
};
struct AppendArgs {
  std::string mailbox;
  std::vector<AppendMessage> messages;  // at least one
};

// A search key tree (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 7162 §3.1.5 MODSEQ,
// RFC 5032 OLDER/YOUNGER, RFC 5182 "$").
struct SearchKey {
  enum class Kind {
    and_,  // a parenthesised list, or the whole program: children
    all,
    answered,
    bcc,     // str
    before,  // date
    body,    // str
    cc,      // str
    deleted,
    draft,
    flagged,
    from,     // str
    header,   // str = field name (upper-cased), str2 = value
    keyword,  // str
    larger,   // number
    new_,
    not_,  // children[0]
    old,
    on,   // date
    or_,  // children[0], children[1]
    recent,
    seen,
    sentbefore,  // date
    senton,      // date
    sentsince,   // date
    since,       // date
    smaller,     // number
    subject,     // str
    text,        // str
    to,          // str
    uid,         // set
    unanswered,
    undeleted,
    undraft,
    unflagged,
    unkeyword,  // str
    unseen,
    sequence_set,  // set
    modseq,        // number; str = entry name, str2 = entry type ("" if none)
    older,         // number (seconds)
    younger,       // number (seconds)
  };
  Kind kind = Kind::all;
  std::string str;
  std::string str2;
  uint64_t number = 0;
  Date date;
  SequenceSet set;
  std::vector<SearchKey> children;
};

// RFC 4731 / RFC 9051 §6.4.4.1 return options.
struct SearchReturn {
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
  bool save = false;  // RFC 5182
  bool operator==(const SearchReturn&) const = default;
};

struct SearchArgs {
  std::optional<SearchReturn> ret;  // present iff RETURN (...) was sent
  std::optional<std::string> charset;
  SearchKey key;  // Kind::and_ of the top-level keys
};

// RFC 9051 §6.4.5 section: [part] [text] ["(" fields ")"].
struct Section {
  enum class Text { none, header, header_fields, header_fields_not, text, mime };
  std::vector<uint32_t> part;  // 1.2.3 -> {1, 2, 3}; empty for the whole message
  Text text = Text::none;
  std::vector<std::string> fields;  // HEADER.FIELDS[.NOT], upper-cased
  bool operator==(const Section&) const = default;
};

struct Partial {
  uint32_t origin = 0;
  uint32_t count = 0;  // nz-number
  bool operator==(const Partial&) const = default;
};

struct FetchAtt {
  enum class Kind {
    envelope,
    flags,
    internaldate,
    rfc822,
    rfc822_header,
    rfc822_size,
    rfc822_text,
    body,  // BODY without a section: the non-extensible BODYSTRUCTURE
    bodystructure,
    uid,
    modseq,        // RFC 7162
    body_section,  // BODY[...] / BODY.PEEK[...]: section, partial, peek
    binary,        // BINARY[...] / BINARY.PEEK[...] (RFC 3516): section.part
    binary_size,   // BINARY.SIZE[...]: section.part
  };
  Kind kind = Kind::flags;
  bool peek = false;
  Section section;
  std::optional<Partial> partial;
  bool operator==(const FetchAtt&) const = default;
};

struct FetchArgs {
  SequenceSet set;
  std::vector<FetchAtt> atts;             // ALL/FAST/FULL expanded (RFC 3501 §6.4.5)
  std::optional<uint64_t> changed_since;  // RFC 7162 §3.1.4
  bool vanished = false;                  // RFC 7162 §3.2.6 (UID FETCH only)
};

struct StoreArgs {
  enum class Op { replace, add, remove };
  SequenceSet set;
  std::optional<uint64_t> unchanged_since;  // RFC 7162 §3.1.3
  Op op = Op::replace;
  bool silent = false;
  FlagList flags;
};

// COPY and MOVE (RFC 6851).
struct CopyArgs {
  SequenceSet set;
  std::string mailbox;
};

// UID EXPUNGE (RFC 4315 §2.1).
struct UidExpungeArgs {
  SequenceSet set;
};

// RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267 ESORT RETURN.
struct SortCriterion {
  enum class Key { arrival, cc, date, from, size, subject, to, display_from, display_to };
  Key key = Key::arrival;
  bool reverse = false;
  bool operator==(const SortCriterion&) const = default;
};
struct SortArgs {
  std::optional<SearchReturn> ret;
  std::vector<SortCriterion> criteria;  // at least one
  std::string charset;
  SearchKey key;
};

struct ThreadArgs {
  std::string algorithm;  // upper-cased: ORDEREDSUBJECT, REFERENCES, ...
  std::string charset;
  SearchKey key;
};

// RFC 9208: GETQUOTA root.
struct QuotaRootArgs {
  std::string root;
};
struct SetQuotaArgs {
  std::string root;
  std::vector<std::pair<std::string, uint64_t>> limits;  // resource upper-cased
};

// RFC 4314: SETACL (rights set), DELETEACL, LISTRIGHTS (rights empty).
struct AclArgs {
  std::string mailbox;
  std::string identifier;
  std::string rights;  // mod-rights, "+"/"-" prefix kept
};

// RFC 4978.
struct CompressArgs {
  std::string mechanism;  // upper-cased
};

// RFC 5464 §4.2.
struct GetMetadataArgs {
  enum class Depth { zero, one, infinity };
  std::optional<uint32_t> max_size;
  Depth depth = Depth::zero;
  std::string mailbox;  // "" = server annotations
  std::vector<std::string> entries;
};
struct SetMetadataArgs {
  using Entry = std::pair<std::string, std::optional<std::string>>;  // nullopt: NIL
  std::string mailbox;
  std::vector<Entry> entries;
};

using Args =
    std::variant<NoArgs, LoginArgs, AuthenticateArgs, EnableArgs, IdArgs, SelectArgs, CreateArgs,
                 MailboxArgs, RenameArgs, ListArgs, StatusArgs, AppendArgs, SearchArgs, FetchArgs,
                 StoreArgs, CopyArgs, UidExpungeArgs, SortArgs, ThreadArgs, QuotaRootArgs,
                 SetQuotaArgs, AclArgs, CompressArgs, GetMetadataArgs, SetMetadataArgs>;

struct Command {
  std::string tag;
  CommandName name = CommandName::unknown;
  bool uid = false;       // "UID FETCH" etc.
  std::string name_text;  // as sent, upper-cased ("FETCH", "UID FETCH", "XFOO")
  Args args;
};

}  // namespace courriel::imap
