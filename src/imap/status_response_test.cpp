#include "imap/status_response.h"

#include <gtest/gtest.h>

namespace courriel::imap {
namespace {

TEST(StatusResponse, ItemsInOrderAskedEachOnce) {
  store::MailboxStatus st;
  st.messages = 3;
  st.recent = 1;
  st.unseen = 2;
  st.deleted = 0;
  st.uidnext = 7;
  st.uidvalidity = 1234;
  st.size = 5000;
  st.highest_modseq = 9;
  std::vector<StatusItem> items = {StatusItem::uidnext, StatusItem::messages, StatusItem::unseen,
                                   StatusItem::recent, StatusItem::messages};
  std::string out;
  append_status_response(out, "Sent", st, items, 0, false);
  EXPECT_EQ(out, "* STATUS Sent (UIDNEXT 7 MESSAGES 3 UNSEEN 2 RECENT 1)\r\n");
  out.clear();
  items = {StatusItem::uidvalidity, StatusItem::deleted, StatusItem::size,
           StatusItem::highestmodseq, StatusItem::appendlimit};
  append_status_response(out, "Entwürfe", st, items, 65536, false);
  EXPECT_EQ(out,
            "* STATUS Entw&APw-rfe (UIDVALIDITY 1234 DELETED 0 SIZE 5000 HIGHESTMODSEQ 9 "
            "APPENDLIMIT 65536)\r\n");
  out.clear();
  append_status_response(out, "a b", st, std::vector{StatusItem::appendlimit}, 0, false);
  EXPECT_EQ(out, "* STATUS \"a b\" (APPENDLIMIT NIL)\r\n");
}

}  // namespace
}  // namespace courriel::imap
