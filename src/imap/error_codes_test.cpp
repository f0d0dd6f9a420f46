#include "imap/error_codes.h"

#include <gtest/gtest.h>

using namespace courriel;
using namespace courriel::imap;

TEST(ErrorCodes, EveryErrcHasAResponseCode) {
  EXPECT_EQ(response_code(Errc::auth_failed), "AUTHENTICATIONFAILED");
  EXPECT_EQ(response_code(Errc::already_exists), "ALREADYEXISTS");
  EXPECT_EQ(response_code(Errc::not_found), "NONEXISTENT");
  EXPECT_EQ(response_code(Errc::over_quota), "OVERQUOTA");
}

TEST(ErrorCodes, AnswerErrorKeepsDetailOutOfTheResponse) {
  ResponseWriter out;
  answer_error(out, "a1", make_error(Errc::internal, "secret path /x/y"), "Failed", 1);
  EXPECT_EQ(out.buffer(), "a1 NO [SERVERBUG] Failed\r\n");
  EXPECT_EQ(out.last_status(), Reply::no);
}

TEST(ResponseWriterTest, Forms) {
  ResponseWriter out;
  out.untagged("OK ready");
  out.continuation("");
  out.tagged("t", Reply::bad, "", "oops");
  EXPECT_EQ(out.buffer(), "* OK ready\r\n+ \r\nt BAD oops\r\n");
  out.clear();
  EXPECT_EQ(out.size(), 0u);
}

TEST(ResponseWriterTest, InsertBeforeTagged) {
  ResponseWriter out;
  out.untagged("1 FETCH (FLAGS ())");
  out.tagged("a", Reply::ok, "", "done");
  out.insert_before_tagged("* 3 EXISTS\r\n");
  EXPECT_EQ(out.buffer(), "* 1 FETCH (FLAGS ())\r\n* 3 EXISTS\r\na OK done\r\n");
  out.clear();
  out.insert_before_tagged("* 1 EXPUNGE\r\n");
  EXPECT_EQ(out.buffer(), "* 1 EXPUNGE\r\n");
}
