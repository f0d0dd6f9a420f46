#include "search/response.h"

#include <algorithm>

namespace courriel::search {
namespace {

bool only_save(const imap::SearchReturn& r) {
  return r.save && !r.min && !r.max && !r.all && !r.count;
}

}  // namespace

std::string format_sequence_set(std::vector<uint32_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  std::string out;
  for (size_t i = 0; i < numbers.size();) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(numbers[i]);
    if (j > i) {
      out += ':';
      out += std::to_string(numbers[j]);
    }
    i = j + 1;
  }
  return out;
}

std::string format_search(const std::vector<uint32_t>& matches, std::optional<uint64_t> modseq) {
  std::string out = "SEARCH";
  for (uint32_t n : matches) {
    out += ' ';
    out += std::to_string(n);
  }
  if (modseq && !matches.empty()) {
    out += " (MODSEQ ";
    out += std::to_string(*modseq);
    out += ')';
  }
  return out;
}

std::string format_esearch(std::string_view tag, bool uid, const std::vector<uint32_t>& matches,
                           const imap::SearchReturn& ret, std::optional<uint64_t> modseq) {
  if (only_save(ret)) return {};
  imap::SearchReturn r = ret;
  if (!r.min && !r.max && !r.all && !r.count) r.all = true;  // RETURN ()
  std::string out = "ESEARCH (TAG \"";
  for (char c : tag) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += "\")";
  if (uid) out += " UID";
  if (!matches.empty()) {
    auto [lo, hi] = std::minmax_element(matches.begin(), matches.end());
    if (r.min) out += " MIN " + std::to_string(*lo);
    if (r.max) out += " MAX " + std::to_string(*hi);
  }
  if (r.count) out += " COUNT " + std::to_string(matches.size());
  if (r.all && !matches.empty()) out += " ALL " + format_sequence_set(matches);
  if (modseq && !matches.empty()) out += " MODSEQ " + std::to_string(*modseq);
  return out;
}

std::vector<uint32_t> saved_result(std::vector<uint32_t> match_uids,
                                   const imap::SearchReturn& ret) {
  std::sort(match_uids.begin(), match_uids.end());
  match_uids.erase(std::unique(match_uids.begin(), match_uids.end()), match_uids.end());
  if (match_uids.empty() || ret.all || ret.count || (!ret.min && !ret.max)) return match_uids;
  std::vector<uint32_t> out;
  if (ret.min) out.push_back(match_uids.front());
  if (ret.max && (!ret.min || match_uids.size() > 1)) out.push_back(match_uids.back());
  return out;
}

}  // namespace courriel::search
