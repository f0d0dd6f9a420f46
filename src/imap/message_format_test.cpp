#include "imap/message_format.h"

#include <gtest/gtest.h>

using namespace courriel;
using namespace courriel::imap;

namespace {

std::string envelope_of(std::string_view msg) {
  std::string out;
  append_envelope(out, mail::parse_message(msg).envelope, false);
  return out;
}

std::string structure_of(std::string_view msg, bool extensible = true) {
  std::string out;
  append_body_structure(out, mail::parse_message(msg).body, extensible, false);
  return out;
}

}  // namespace

TEST(MessageFormat, Envelope) {
  EXPECT_EQ(envelope_of("Date: Wed, 17 Jul 1996 02:23:25 -0700\r\n"
                        "From: Terry Gray <gray@cac.washington.edu>\r\n"
                        "Subject: IMAP4rev1 WG mtg summary and minutes\r\n"
                        "To: imap@cac.washington.edu\r\n"
                        "Cc: minutes@CNRI.Reston.VA.US, \"John Klensin\" <KLENSIN@MIT.EDU>\r\n"
                        "Message-Id: <B27397-0100000@cac.washington.edu>\r\n\r\nbody\r\n"),
            // RFC 3501 §6.4.5's example, with Sender and Reply-To defaulted to From.
            "(\"Wed, 17 Jul 1996 02:23:25 -0700\" \"IMAP4rev1 WG mtg summary and minutes\" "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
            "((NIL NIL \"imap\" \"cac.washington.edu\")) "
            "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" "
            "\"MIT.EDU\")) NIL NIL \"<B27397-0100000@cac.washington.edu>\")");
}

TEST(MessageFormat, EnvelopeGroupsAndEmpty) {
  EXPECT_EQ(envelope_of("To: Friends: a@b, c@d;\r\n\r\n"),
            "(NIL NIL NIL NIL NIL ((NIL NIL \"Friends\" NIL)(NIL NIL \"a\" \"b\")"
            "(NIL NIL \"c\" \"d\")(NIL NIL NIL NIL)) NIL NIL NIL NIL)");
}

TEST(MessageFormat, SinglePartText) {
  EXPECT_EQ(structure_of("Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\nworld\r\n"),
            "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 14 2 NIL NIL NIL NIL)");
  EXPECT_EQ(structure_of("Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n", false),
            "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7BIT\" 7 1)");
}

TEST(MessageFormat, MultipartWithAttachmentAndMessage) {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
      "--b\r\nContent-Type: application/pdf; name=a.pdf\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=a.pdf\r\n\r\nAAAA\r\n"
      "--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nx\r\n"
      "--b--\r\n";
  std::string s = structure_of(msg);
  EXPECT_EQ(s.substr(0, 2), "((");
  EXPECT_NE(s.find("(\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 4 NIL "
                   "(\"attachment\" (\"filename\" \"a.pdf\")) NIL NIL)"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("\"message\" \"rfc822\" NIL NIL NIL \"7BIT\""), std::string::npos) << s;
  EXPECT_NE(s.find("(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL)"), std::string::npos) << s;
  EXPECT_NE(s.find(" \"mixed\" (\"boundary\" \"b\") NIL NIL NIL)"), std::string::npos) << s;
  std::string body = structure_of(msg, false);
  EXPECT_NE(body.find(" \"mixed\")"), std::string::npos) << body;
}

TEST(MessageFormat, EightBitValuesBecomeLiterals) {
  std::string out;
  append_envelope(out, mail::parse_message("Subject: caf\xc3\xa9\r\n\r\n").envelope, false);
  EXPECT_NE(out.find("{5}\r\ncaf\xc3\xa9"), std::string::npos) << out;
  out.clear();
  append_envelope(out, mail::parse_message("Subject: caf\xc3\xa9\r\n\r\n").envelope, true);
  EXPECT_NE(out.find("\"caf\xc3\xa9\""), std::string::npos) << out;
}
