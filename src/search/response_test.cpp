#include "search/response.h"

#include <gtest/gtest.h>

namespace courriel::search {
namespace {

imap::SearchReturn ret(bool min, bool max, bool all, bool count, bool save = false) {
  return imap::SearchReturn{min, max, all, count, save};
}

TEST(Response, SequenceSet) {
  EXPECT_EQ(format_sequence_set({}), "");
  EXPECT_EQ(format_sequence_set({5}), "5");
  EXPECT_EQ(format_sequence_set({9, 1, 2, 3, 5, 3}), "1:3,5,9");
  EXPECT_EQ(format_sequence_set({4294967294u, 4294967295u}), "4294967294:4294967295");
}

TEST(Response, Search) {
  EXPECT_EQ(format_search({}), "SEARCH");
  EXPECT_EQ(format_search({2, 3, 6}), "SEARCH 2 3 6");
  EXPECT_EQ(format_search({2, 5}, 917162500), "SEARCH 2 5 (MODSEQ 917162500)");
  EXPECT_EQ(format_search({}, 917162500), "SEARCH");
}

TEST(Response, Esearch) {
  std::vector<uint32_t> m = {9, 1, 2, 3, 5};
  EXPECT_EQ(format_esearch("a", true, m, ret(true, true, true, true)),
            "ESEARCH (TAG \"a\") UID MIN 1 MAX 9 COUNT 5 ALL 1:3,5,9");
  EXPECT_EQ(format_esearch("A282", false, m, ret(true, false, false, true)),
            "ESEARCH (TAG \"A282\") MIN 1 COUNT 5");
  // RETURN () is ALL.
  EXPECT_EQ(format_esearch("t", false, m, ret(false, false, false, false)),
            "ESEARCH (TAG \"t\") ALL 1:3,5,9");
  // No match: MIN/MAX/ALL omitted, COUNT 0 kept.
  EXPECT_EQ(format_esearch("t", true, {}, ret(true, true, true, true)),
            "ESEARCH (TAG \"t\") UID COUNT 0");
  EXPECT_EQ(format_esearch("t", false, {}, ret(false, false, false, false)), "ESEARCH (TAG \"t\")");
  EXPECT_EQ(format_esearch("t", false, m, ret(false, false, false, true), 42),
            "ESEARCH (TAG \"t\") COUNT 5 MODSEQ 42");
  EXPECT_EQ(format_esearch("t", false, {}, ret(false, false, false, true), 42),
            "ESEARCH (TAG \"t\") COUNT 0");
  // SAVE alone: no ESEARCH response; with others: as usual.
  EXPECT_EQ(format_esearch("t", false, m, ret(false, false, false, false, true)), "");
  EXPECT_EQ(format_esearch("t", false, m, ret(true, false, false, false, true)),
            "ESEARCH (TAG \"t\") MIN 1");
}

TEST(Response, SavedResult) {
  std::vector<uint32_t> m = {30, 10, 20};
  EXPECT_EQ(saved_result(m, ret(false, false, false, false, true)), (std::vector<uint32_t>{10, 20, 30}));
  EXPECT_EQ(saved_result(m, ret(true, false, false, false, true)), (std::vector<uint32_t>{10}));
  EXPECT_EQ(saved_result(m, ret(false, true, false, false, true)), (std::vector<uint32_t>{30}));
  EXPECT_EQ(saved_result(m, ret(true, true, false, false, true)), (std::vector<uint32_t>{10, 30}));
  EXPECT_EQ(saved_result({7}, ret(true, true, false, false, true)), (std::vector<uint32_t>{7}));
  EXPECT_EQ(saved_result(m, ret(true, false, false, true, true)), (std::vector<uint32_t>{10, 20, 30}));
  EXPECT_EQ(saved_result({}, ret(true, false, false, false, true)), (std::vector<uint32_t>{}));
}

}  // namespace
}  // namespace courriel::search
