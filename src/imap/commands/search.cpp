// SEARCH — RFC 9051 §6.4.4 (RFC 3501 §6.4.4), with ESEARCH (RFC 4731),
// SEARCHRES (RFC 5182) and CHARSET; SORT — RFC 5256 §3 with RFC 5957
// DISPLAYFROM/DISPLAYTO; THREAD — RFC 5256 §4. The evaluation itself is the
// search/ library; here the mailbox is read (metadata, the index cache, the
// files only for BODY/TEXT) on the blocking pool.
#include <charconv>
#include <ctime>

#include "imap/commands/commands.h"
#include "imap/error_codes.h"
#include "imap/message_format.h"
#include "imap/search_access.h"
#include "imap/session.h"
#include "mail/cache.h"
#include "mail/header_section.h"
#include "search/response.h"
#include "search/sort.h"
#include "search/thread.h"

namespace courriel::imap {
namespace {

struct Evaluated {
  // In sequence order, built in place in room reserved for every message of
  // the mailbox: never moved (an access holds views into itself), one
  // allocation for all (the pages a SEARCH with few matches never touches
  // are never mapped).
  std::vector<StoreMessageAccess> matched;
  bool uses_modseq = false;
};

// Runs the search program over the selected mailbox. Errors come back with
// their response already chosen: BADCHARSET (RFC 9051 §6.4.4) or a store error.
asio::awaitable<Result<Evaluated>> evaluate(Session& s, const SearchKey& key,
                                            std::optional<std::string_view> charset,
                                            search::Needs extra) {
  auto compiled = search::compile(key, charset);
  if (!compiled) co_return compiled.error();
  SelectedMailbox& mailbox = *s.selected();
  search::SearchEnv env;
  env.max_seq = mailbox.exists();
  env.max_uid = mailbox.exists() ? mailbox.uid_at(mailbox.exists()) : 0;
  env.saved = mailbox.saved_result();
  env.now = std::time(nullptr);
  const search::Needs& own = compiled->needs();
  search::Needs needs = own | extra;
  const char tag = extra.cached_instead;
  // Only what the evaluation reads is copied out of the index: the header
  // fields its keys name, the structure if a key needs it, and for SORT
  // (DATE) and THREAD the cached thread key instead of any header (the
  // header fields only for a message that has no key).
  auto project_for = [](const search::Needs& needed) {
    return [n = &needed](std::string_view blob) {
      auto view = mail::view_cache(blob);
      if (!view) return std::string(blob);
      std::string header;
      if (n->header)
        header = n->all_fields ? std::string(view->header) : mail::header_fields(view->header, n->fields, false);
      return mail::project_cache(*view, header, n->parsed);
    };
  };
  // Header fields all among those the cache keeps apart (message_format.h)?
  const bool fields_serve_own = own.header && !own.all_fields && in_cached_header_fields(own.fields);
  const bool fields_serve_extra = extra.header && !extra.all_fields && in_cached_header_fields(extra.fields);
  auto id = mailbox.id();
  // The view does not change while this session waits for the pool.
  co_return co_await s.blocking([&]() -> Result<Evaluated> {
    // In batches: the metadata and cache entries of a 100,000-message mailbox
    // are never all in memory at once, only the matches are kept.
    constexpr size_t kBatch = 1024;
    const UidSequence& all = mailbox.sequence();
    Evaluated result;
    result.uses_modseq = compiled->uses_modseq();
    result.matched.reserve(all.size());
    std::vector<uint32_t> uids;
    for (uint32_t first = 1; first <= all.size(); first += kBatch) {
      uids.clear();
      all.append_by_seq(first, std::min<uint32_t>(first + kBatch - 1, all.size()), uids);
      auto metas = s.account().messages(id, uids);
      if (!metas) return metas.error();
      std::vector<uint32_t> present;
      for (const auto& m : *metas) present.push_back(m.uid);
      std::vector<std::optional<std::string>> keys(present.size());
      if (tag) {
        // Only the lines read (SORT (DATE): the date; short enough to need no allocation).
        auto k = s.account().cache_extras(id, tag, present, [&](std::string_view text) {
          size_t from = 0;
          for (size_t n = 0; n < extra.cached_lines && from != std::string_view::npos; ++n) {
            size_t nl = text.find('\n', from);
            from = nl == std::string_view::npos ? nl : nl + 1;
          }
          return std::string(extra.cached_lines && from != std::string_view::npos ? text.substr(0, from) : text);
        });
        if (!k) return k.error();
        keys = std::move(*k);
      }
      // The cached common fields: for every message if the keys read only
      // those, else for the messages without a key whose fields stand in.
      std::vector<std::optional<std::string>> fields(present.size());
      std::vector<uint32_t> want_fields;
      std::vector<size_t> at;
      for (size_t i = 0; i < present.size(); ++i)
        if (fields_serve_own || (tag && fields_serve_extra && !keys[i] && !own.header)) {
          want_fields.push_back(present[i]);
          at.push_back(i);
        }
      if (!want_fields.empty()) {
        // Just the fields read (SEARCH FROM: one line, not fifteen to parse).
        auto f = s.account().cache_extras(id, kCachedHeaderFields, want_fields, [&](std::string_view text) {
          return mail::header_fields(text, needs.fields, false);
        });
        if (!f) return f.error();
        for (size_t k = 0; k < f->size(); ++k) fields[at[k]] = std::move((*f)[k]);
      }
      // A message's header reads are all met by its cached common fields?
      auto by_fields = [&](size_t i) {
        return fields[i] && (!own.header || fields_serve_own) && (keys[i] || !tag || fields_serve_extra);
      };
      // The blob, projected, where the keys or a missing extra need it.
      std::vector<std::string> blobs(present.size());
      std::vector<uint32_t> some;
      std::vector<size_t> where;
      for (size_t i = 0; i < present.size(); ++i) {
        bool header = (own.header || (!keys[i] && (needs.header || needs.parsed))) && !by_fields(i);
        if (header || own.parsed) {
          some.push_back(present[i]);
          where.push_back(i);
        }
      }
      if (!some.empty()) {
        auto cached = s.account().caches(id, some, project_for(needs));
        if (!cached) return cached.error();
        for (size_t k = 0; k < cached->size(); ++k) blobs[where[k]] = std::move((*cached)[k]);
      }
      for (size_t i = 0; i < metas->size(); ++i) {
        auto& meta = (*metas)[i];
        uint32_t uid = meta.uid;
        auto& access = result.matched.emplace_back(s.account(), id, mailbox.seq_of(uid), std::move(meta),
                                                   mailbox.recent(uid), std::move(blobs[i]));
        if (keys[i]) access.set_cached(tag, std::move(*keys[i]));
        if (by_fields(i)) access.set_header(std::move(*fields[i]));
        if (!search::matches(*compiled, access, env)) result.matched.pop_back();
      }
    }
    return result;
  });
}

// The answer to a failed evaluate().
void answer_search_error(Session& s, const Command& cmd, const Error& error) {
  if (error.code == Errc::not_found) {
    // RFC 9051 §6.4.4: an unknown charset, and the ones that are known.
    s.out().tagged(cmd.tag, Reply::no, "BADCHARSET (UTF-8 US-ASCII ISO-8859-1 WINDOWS-1252)",
                   "Unknown charset");
  } else if (error.code == Errc::invalid) {
    s.out().tagged(cmd.tag, Reply::bad, "", error.detail);
  } else {
    answer_error(s.out(), cmd.tag, error, "Search failed", s.id());
  }
}

std::vector<uint32_t> numbers(const Evaluated& e, bool uid) {
  std::vector<uint32_t> out;
  out.reserve(e.matched.size());
  for (const auto& m : e.matched) out.push_back(uid ? m.meta().uid : m.seq());
  return out;
}

std::optional<uint64_t> highest_modseq(const Evaluated& e) {
  if (!e.uses_modseq || e.matched.empty()) return std::nullopt;
  uint64_t top = 0;
  for (const auto& m : e.matched) top = std::max(top, m.meta().modseq);
  return top;
}

std::optional<std::string_view> charset_of(const std::string& charset) {
  return charset.empty() ? std::nullopt : std::optional<std::string_view>(charset);
}

}  // namespace

asio::awaitable<void> cmd_search(Session& s, const Command& cmd) {
  const auto& args = std::get<SearchArgs>(cmd.args);
  auto charset =
      args.charset ? std::optional<std::string_view>(*args.charset) : std::nullopt;
  auto result = co_await evaluate(s, args.key, charset, {});
  if (!result) {
    answer_search_error(s, cmd, result.error());
    co_return;
  }
  auto found = numbers(*result, cmd.uid);
  if (!args.ret) {
    s.out().untagged(search::format_search(found, highest_modseq(*result)));
  } else {
    if (args.ret->save)
      s.selected()->save_result(search::saved_result(numbers(*result, true), *args.ret));
    std::string esearch =
        search::format_esearch(cmd.tag, cmd.uid, found, *args.ret, highest_modseq(*result));
    if (!esearch.empty()) s.out().untagged(esearch);
  }
  s.out().tagged(cmd.tag, Reply::ok, "", "SEARCH completed");
}

asio::awaitable<void> cmd_sort(Session& s, const Command& cmd) {
  const auto& args = std::get<SortArgs>(cmd.args);
  if (args.ret) {
    s.out().tagged(cmd.tag, Reply::bad, "", "SORT RETURN (ESORT) is not implemented yet");
    co_return;
  }
  auto result = co_await evaluate(s, args.key, charset_of(args.charset),
                                  search::sort_needs(args.criteria));
  if (!result) {
    answer_search_error(s, cmd, result.error());
    co_return;
  }
  std::vector<search::MessageAccess*> messages;
  for (auto& m : result->matched) messages.push_back(&m);
  auto sorted = co_await s.blocking([&] { return search::sort(args.criteria, messages, cmd.uid); });
  std::string line = "SORT";
  char digits[16];
  for (uint32_t n : sorted) {
    line += ' ';
    line.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
  }
  s.out().untagged(line);
  s.out().tagged(cmd.tag, Reply::ok, "", "SORT completed");
}

asio::awaitable<void> cmd_thread(Session& s, const Command& cmd) {
  const auto& args = std::get<ThreadArgs>(cmd.args);
  if (args.algorithm != "ORDEREDSUBJECT" && args.algorithm != "REFERENCES") {
    s.out().tagged(cmd.tag, Reply::bad, "", "Unknown THREAD algorithm");
    co_return;
  }
  auto result = co_await evaluate(s, args.key, charset_of(args.charset), search::thread_needs());
  if (!result) {
    answer_search_error(s, cmd, result.error());
    co_return;
  }
  std::vector<search::MessageAccess*> messages;
  for (auto& m : result->matched) messages.push_back(&m);
  auto threads = co_await s.blocking(
      [&] { return search::thread(args.algorithm, messages, cmd.uid); });
  if (!threads) {
    answer_error(s.out(), cmd.tag, threads.error(), "THREAD failed", s.id());
    co_return;
  }
  std::string list = search::format_thread(*threads);
  s.out().untagged(list.empty() ? "THREAD" : "THREAD " + list);
  s.out().tagged(cmd.tag, Reply::ok, "", "THREAD completed");
}

}  // namespace courriel::imap
