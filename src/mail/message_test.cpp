#include "mail/message.h"

#include <gtest/gtest.h>

#include "mail/decode.h"
#include "mail/header.h"

using namespace courriel::mail;

namespace {

constexpr auto N = std::nullopt;

Address A(std::optional<std::string> name, std::optional<std::string> adl,
          std::optional<std::string> mailbox, std::optional<std::string> host) {
  return Address{std::move(name), std::move(adl), std::move(mailbox), std::move(host)};
}

// Offsets asserted through the text they select.
std::string_view body_of(std::string_view m, const BodyPart& p) {
  return m.substr(p.body_offset, p.body_size);
}
std::string_view header_of(std::string_view m, const BodyPart& p) {
  return m.substr(p.header_offset, p.header_size);
}
const BodyPart& part(const BodyPart& root, std::initializer_list<uint32_t> path) {
  std::vector<uint32_t> v(path);
  const BodyPart* p = find_part(root, v);
  EXPECT_NE(p, nullptr);
  static const BodyPart empty;
  return p ? *p : empty;
}

std::vector<Param> Params(std::initializer_list<Param> l) { return l; }

}  // namespace

TEST(ParseMessage, SimpleTextMessage) {
  std::string m =
      "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
      "From: Fred Foobar <foobar@Blurdybloop.example>\r\n"
      "Subject: afternoon\r\n meeting\r\n"
      "To: mooch@owatagu.siam.edu.example\r\n"
      "Message-Id: <B27397-0100000@Blurdybloop.example>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
      "\r\n"
      "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";
  ParsedMessage pm = parse_message(m);
  const Envelope& e = pm.envelope;
  EXPECT_EQ(e.date, "Mon, 7 Feb 1994 21:52:25 -0800 (PST)");
  EXPECT_EQ(e.subject, "afternoon meeting");
  EXPECT_EQ(e.from, std::vector<Address>{A("Fred Foobar", N, "foobar", "Blurdybloop.example")});
  EXPECT_EQ(e.sender, e.from);
  EXPECT_EQ(e.reply_to, e.from);
  EXPECT_EQ(e.to, std::vector<Address>{A(N, N, "mooch", "owatagu.siam.edu.example")});
  EXPECT_TRUE(e.cc.empty());
  EXPECT_TRUE(e.bcc.empty());
  EXPECT_EQ(e.in_reply_to, N);
  EXPECT_EQ(e.message_id, "<B27397-0100000@Blurdybloop.example>");
  const BodyPart& b = pm.body;
  EXPECT_EQ(b.type, "TEXT");
  EXPECT_EQ(b.subtype, "PLAIN");
  EXPECT_EQ(b.params, Params({{"CHARSET", "US-ASCII"}}));
  EXPECT_EQ(b.encoding, "7BIT");
  EXPECT_EQ(b.header_offset, 0u);
  EXPECT_EQ(b.header_size, 273u);
  EXPECT_EQ(b.body_offset, 273u);
  EXPECT_EQ(b.size, 55u);
  EXPECT_EQ(b.body_size, 55u);
  EXPECT_EQ(b.lines, 1u);
  EXPECT_EQ(b.header_offset + b.header_size + b.body_size, m.size());
  EXPECT_TRUE(b.children.empty());
  EXPECT_FALSE(b.envelope);
  // Part 1 of a non-multipart message is its body; nothing deeper.
  EXPECT_EQ(find_part(b, std::vector<uint32_t>{1}), &b);
  EXPECT_EQ(find_part(b, std::vector<uint32_t>{}), &b);
  EXPECT_EQ(find_part(b, std::vector<uint32_t>{2}), nullptr);
  EXPECT_EQ(find_part(b, std::vector<uint32_t>{1, 1}), nullptr);
  EXPECT_EQ(find_part(b, std::vector<uint32_t>{0}), nullptr);
}

TEST(ParseMessage, Defaults) {
  ParsedMessage pm = parse_message("Subject: x\n\nline1\nline2");
  EXPECT_EQ(pm.body.type, "text");
  EXPECT_EQ(pm.body.subtype, "plain");
  EXPECT_EQ(pm.body.params, Params({{"charset", "us-ascii"}}));
  EXPECT_EQ(pm.body.encoding, "7BIT");
  EXPECT_EQ(pm.body.header_size, 12u);
  EXPECT_EQ(pm.body.size, 11u);
  EXPECT_EQ(pm.body.lines, 2u);
  EXPECT_EQ(pm.envelope.subject, "x");
  EXPECT_EQ(pm.envelope.date, N);
  EXPECT_TRUE(pm.envelope.from.empty());
}

TEST(ParseMessage, EmptyMessageAndEmptyBodies) {
  ParsedMessage pm = parse_message("");
  EXPECT_EQ(pm.body.type, "text");
  EXPECT_EQ(pm.body.header_size, 0u);
  EXPECT_EQ(pm.body.size, 0u);
  EXPECT_EQ(pm.body.lines, 0u);
  EXPECT_EQ(pm.envelope, Envelope{});

  // Header only, no empty line: the whole message is header.
  pm = parse_message("Subject: only header\r\n");
  EXPECT_EQ(pm.body.header_size, 22u);
  EXPECT_EQ(pm.body.size, 0u);
  EXPECT_EQ(pm.envelope.subject, "only header");

  // Empty header.
  pm = parse_message("\r\nbody\r\n");
  EXPECT_EQ(pm.body.header_size, 2u);
  EXPECT_EQ(pm.body.size, 6u);
  EXPECT_EQ(pm.envelope.subject, N);

  // Empty parts.
  std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n"
      "--b\r\n\r\n\r\n"
      "--b--\r\n";
  pm = parse_message(m);
  ASSERT_EQ(pm.body.children.size(), 2u);
  EXPECT_EQ(pm.body.children[0].header_size, 0u);
  EXPECT_EQ(pm.body.children[0].size, 0u);
  EXPECT_EQ(pm.body.children[0].lines, 0u);
  EXPECT_EQ(pm.body.children[1].header_size, 2u);
  EXPECT_EQ(pm.body.children[1].size, 0u);
}

// Three levels of multipart, a message/rfc822 with its own multipart, an
// attachment with RFC 2231 parameters, preamble and epilogue.
const char kNested[] =
    "From: \"Joe Q. Public\" <john.q.public@example.com>\r\n"
    "To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>\r\n"
    "Cc: <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>\r\n"
    "Reply-To: Replies:a@r.test, b@r.test;\r\n"
    "In-Reply-To: <1234@local.machine.example> <3456@example.net>\r\n"
    "Message-ID: (a comment) <5678.21-Nov-1997@example.com> (another)\r\n"
    "Subject: =?UTF-8?B?w6nDqMOg?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed;\r\n boundary=\"outer\"\r\n"
    "\r\n"
    "This is the preamble.\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=alt\r\n"
    "\r\n"
    "--alt\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "caf=E9\r\n"
    "line two\r\n"
    "--alt\r\n"
    "Content-Type: multipart/related; boundary=\"rel\"\r\n"
    "\r\n"
    "--rel\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-ID: <html@x>\r\n"
    "\r\n"
    "<p>caf\xC3\xA9</p>\r\n"
    "--rel\r\n"
    "Content-Type: image/png\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-ID: <img@x>\r\n"
    "Content-Disposition: inline\r\n"
    "\r\n"
    "iVBORw0KGgo=\r\n"
    "--rel--\r\n"
    "--alt--\r\n"
    "--outer\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Description: forwarded\r\n"
    "\r\n"
    "From: inner@x.test\r\n"
    "Subject: inner subject\r\n"
    "Content-Type: multipart/mixed; boundary=in\r\n"
    "\r\n"
    "--in\r\n"
    "\r\n"
    "inner text\r\n"
    "--in\r\n"
    "Content-Type: application/pdf; name*0*=utf-8''r%C3%A9sum; name*1=\"e.pdf\"\r\n"
    "Content-Disposition: attachment;\r\n"
    " filename*=iso-8859-1'fr'r%E9sum%E9.pdf; size=12\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Language: fr, en-GB (comment)\r\n"
    "Content-Location: http://x.test/\r\n a.pdf\r\n"
    "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
    "\r\n"
    "JVBERi0=\r\n"
    "--in--\r\n"
    "--outer--\r\n"
    "This is the epilogue.\r\n";

TEST(ParseMessage, NestedMultipartsAndMessage) {
  std::string_view m = kNested;
  ParsedMessage pm = parse_message(m);
  const Envelope& e = pm.envelope;
  EXPECT_EQ(e.from, std::vector<Address>{A("Joe Q. Public", N, "john.q.public", "example.com")});
  EXPECT_EQ(e.to, (std::vector<Address>{A("Mary Smith", N, "mary", "x.test"),
                                        A(N, N, "jdoe", "example.org"),
                                        A("Who?", N, "one", "y.test")}));
  EXPECT_EQ(e.cc, (std::vector<Address>{A(N, N, "boss", "nil.test"),
                                        A("Giant; \"Big\" Box", N, "sysservices", "example.net")}));
  EXPECT_EQ(e.reply_to, (std::vector<Address>{A(N, N, "Replies", N), A(N, N, "a", "r.test"),
                                              A(N, N, "b", "r.test"), A(N, N, N, N)}));
  EXPECT_EQ(e.sender, e.from);
  EXPECT_EQ(e.in_reply_to, "<1234@local.machine.example> <3456@example.net>");
  EXPECT_EQ(e.message_id, "<5678.21-Nov-1997@example.com>");
  EXPECT_EQ(e.subject, "=?UTF-8?B?w6nDqMOg?=");  // raw
  EXPECT_EQ(decode_header_text(*e.subject), "\xC3\xA9\xC3\xA8\xC3\xA0");

  const BodyPart& root = pm.body;
  EXPECT_EQ(root.type, "multipart");
  EXPECT_EQ(root.subtype, "mixed");
  EXPECT_EQ(root.params, Params({{"boundary", "outer"}}));
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.lines, 0u);
  EXPECT_TRUE(body_of(m, root).starts_with("This is the preamble."));
  EXPECT_TRUE(body_of(m, root).ends_with("epilogue.\r\n"));

  const BodyPart& alt = part(root, {1});
  EXPECT_EQ(alt.subtype, "alternative");
  ASSERT_EQ(alt.children.size(), 2u);
  EXPECT_EQ(header_of(m, alt), "Content-Type: multipart/alternative; boundary=alt\r\n\r\n");
  EXPECT_TRUE(body_of(m, alt).starts_with("--alt\r\n"));
  EXPECT_TRUE(body_of(m, alt).ends_with("--alt--"));  // CRLF before --outer excluded

  const BodyPart& plain = part(root, {1, 1});
  EXPECT_EQ(plain.type, "text");
  EXPECT_EQ(plain.encoding, "quoted-printable");
  EXPECT_EQ(body_of(m, plain), "caf=E9\r\nline two");
  EXPECT_EQ(plain.size, 16u);
  EXPECT_EQ(plain.lines, 2u);
  EXPECT_EQ(header_of(m, plain),
            "Content-Type: text/plain; charset=iso-8859-1\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  EXPECT_EQ(plain.header_offset, m.find("Content-Type: text/plain"));

  const BodyPart& rel = part(root, {1, 2});
  EXPECT_EQ(rel.subtype, "related");
  ASSERT_EQ(rel.children.size(), 2u);
  const BodyPart& html = part(root, {1, 2, 1});
  EXPECT_EQ(html.subtype, "html");
  EXPECT_EQ(html.id, "<html@x>");
  EXPECT_EQ(body_of(m, html), "<p>caf\xC3\xA9</p>");
  EXPECT_EQ(html.lines, 1u);
  const BodyPart& img = part(root, {1, 2, 2});
  EXPECT_EQ(img.type, "image");
  EXPECT_EQ(img.params, std::vector<Param>{});
  EXPECT_EQ(img.encoding, "base64");
  EXPECT_EQ(img.disposition, "inline");
  EXPECT_EQ(img.lines, 0u);
  EXPECT_EQ(body_of(m, img), "iVBORw0KGgo=");
  EXPECT_EQ(*decode_transfer_encoding(body_of(m, img), img.encoding), "\x89PNG\r\n\x1A\n");
  EXPECT_EQ(find_part(root, std::vector<uint32_t>{1, 2, 3}), nullptr);
  EXPECT_EQ(find_part(root, std::vector<uint32_t>{1, 2, 2, 1}), nullptr);

  const BodyPart& msg = part(root, {2});
  EXPECT_EQ(msg.type, "message");
  EXPECT_EQ(msg.subtype, "rfc822");
  EXPECT_EQ(msg.description, "forwarded");
  ASSERT_TRUE(msg.envelope);
  ASSERT_EQ(msg.children.size(), 1u);
  EXPECT_EQ(msg.envelope->from, std::vector<Address>{A(N, N, "inner", "x.test")});
  EXPECT_EQ(msg.envelope->subject, "inner subject");
  EXPECT_TRUE(body_of(m, msg).starts_with("From: inner@x.test\r\n"));
  EXPECT_TRUE(body_of(m, msg).ends_with("--in--"));
  EXPECT_EQ(msg.lines, 19u);
  // BODY[2.HEADER] and BODY[2.TEXT] are children[0]'s ranges.
  const BodyPart& inner = msg.children[0];
  EXPECT_EQ(inner.header_offset, msg.body_offset);
  EXPECT_TRUE(header_of(m, inner).starts_with("From: inner@x.test\r\n"));
  EXPECT_TRUE(header_of(m, inner).ends_with("boundary=in\r\n\r\n"));
  EXPECT_EQ(inner.subtype, "mixed");
  ASSERT_EQ(inner.children.size(), 2u);

  const BodyPart& inner_text = part(root, {2, 1});
  EXPECT_EQ(&inner_text, &inner.children[0]);
  EXPECT_EQ(inner_text.type, "text");
  EXPECT_EQ(inner_text.params, Params({{"charset", "us-ascii"}}));
  EXPECT_EQ(body_of(m, inner_text), "inner text");
  EXPECT_EQ(inner_text.header_size, 2u);

  const BodyPart& pdf = part(root, {2, 2});
  EXPECT_EQ(pdf.type, "application");
  EXPECT_EQ(pdf.params, Params({{"name", "r\xC3\xA9sume.pdf"}}));
  EXPECT_EQ(pdf.disposition, "attachment");
  EXPECT_EQ(pdf.disposition_params,
            (std::vector<Param>{Param{"filename", "r\xC3\xA9sum\xC3\xA9.pdf"}, Param{"size", "12"}}));
  EXPECT_EQ(pdf.language, (std::vector<std::string>{"fr", "en-GB"}));
  EXPECT_EQ(pdf.location, "http://x.test/a.pdf");
  EXPECT_EQ(pdf.md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
  EXPECT_EQ(body_of(m, pdf), "JVBERi0=");
  EXPECT_EQ(find_part(root, std::vector<uint32_t>{2, 3}), nullptr);
  EXPECT_EQ(find_part(root, std::vector<uint32_t>{3}), nullptr);

  std::string text = text_for_search(m, root);
  EXPECT_NE(text.find("caf\xC3\xA9\r\nline two"), std::string::npos);
  EXPECT_NE(text.find("<p>caf\xC3\xA9</p>"), std::string::npos);
  EXPECT_NE(text.find("Subject: inner subject"), std::string::npos);
  EXPECT_NE(text.find("inner text"), std::string::npos);
  EXPECT_EQ(text.find("iVBOR"), std::string::npos);
}

TEST(ParseMessage, RFC2231Continuations) {
  ParsedMessage pm = parse_message(
      "Content-Type: application/x-stuff;\r\n"
      " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
      " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
      " title*2=\"isn't it!\"\r\n\r\n");
  EXPECT_EQ(pm.body.params,
            Params({{"title", "This is even more ***fun*** isn't it!"}}));
  // Out of order, plain continuations, unknown charset, extended beats plain.
  pm = parse_message(
      "Content-Type: text/plain; a*1=\"def\"; a*0=\"abc\"; b*=x-unknown''%41%FF; c=plain;"
      " c*=utf-8''%C3%A9\r\n\r\n");
  EXPECT_EQ(pm.body.params, (std::vector<Param>{Param{"a", "abcdef"}, Param{"b", "A\xEF\xBF\xBD"},
                                                Param{"c", "\xC3\xA9"}}));
}

TEST(ParseMessage, MissingFinalBoundaryAndBareLF) {
  std::string m =
      "Content-Type: multipart/mixed; boundary=\"xyz\"\n"
      "\n"
      "--xyz  \n"
      "Content-Type: text/plain\n"
      "\n"
      "first\n"
      "--xyz\t\n"
      "\n"
      "second\n"
      "last line\n";
  ParsedMessage pm = parse_message(m);
  ASSERT_EQ(pm.body.children.size(), 2u);
  const BodyPart& a = pm.body.children[0];
  EXPECT_EQ(header_of(m, a), "Content-Type: text/plain\n\n");
  EXPECT_EQ(body_of(m, a), "first");
  EXPECT_EQ(a.lines, 1u);
  EXPECT_EQ(a.params, std::vector<Param>{});
  const BodyPart& b = pm.body.children[1];
  EXPECT_EQ(header_of(m, b), "\n");
  EXPECT_EQ(body_of(m, b), "second\nlast line\n");  // runs to the end
  EXPECT_EQ(b.lines, 2u);
}

TEST(ParseMessage, BoundaryLookalikes) {
  std::string m =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\n\r\n"
      "--bb is not a boundary\r\n"
      " --b neither\r\n"
      "--b--\r\n"
      "--b\r\n\r\nafter close: epilogue\r\n";
  ParsedMessage pm = parse_message(m);
  ASSERT_EQ(pm.body.children.size(), 1u);
  EXPECT_EQ(body_of(m, pm.body.children[0]), "--bb is not a boundary\r\n --b neither");
}

TEST(ParseMessage, BogusAndDuplicateContentType) {
  // First Content-Type wins.
  ParsedMessage pm = parse_message(
      "Content-Type: text/html\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nhi\r\n");
  EXPECT_EQ(pm.body.subtype, "html");
  EXPECT_TRUE(pm.body.children.empty());
  // "text" without subtype, garbage: text/plain, parameters kept.
  pm = parse_message("Content-Type: text; charset=utf-8\r\n\r\nx");
  EXPECT_EQ(pm.body.type, "text");
  EXPECT_EQ(pm.body.subtype, "plain");
  EXPECT_EQ(pm.body.params, Params({{"charset", "utf-8"}}));
  pm = parse_message("Content-Type: @@@ garbage\r\n\r\nx");
  EXPECT_EQ(pm.body.subtype, "plain");
  EXPECT_EQ(pm.body.params, Params({{"charset", "us-ascii"}}));
  pm = parse_message("Content-Type: \r\n\r\nx");
  EXPECT_EQ(pm.body.subtype, "plain");
  // Comments and odd spacing are fine.
  pm = parse_message("Content-Type: (c) Text (x) / HTML (y) ; charset = \"utf-8\" (z)\r\n\r\nx");
  EXPECT_EQ(pm.body.type, "Text");
  EXPECT_EQ(pm.body.subtype, "HTML");
  EXPECT_EQ(pm.body.params, Params({{"charset", "utf-8"}}));
  // Multipart without boundary, or whose boundary never appears: text/plain.
  pm = parse_message("Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhi\r\n");
  EXPECT_EQ(pm.body.type, "text");
  EXPECT_TRUE(pm.body.children.empty());
  EXPECT_EQ(find_part(pm.body, std::vector<uint32_t>{1}), &pm.body);
  pm = parse_message("Content-Type: multipart/mixed; boundary=zz\r\n\r\n--x\r\n\r\nhi\r\n");
  EXPECT_EQ(pm.body.type, "text");
  EXPECT_EQ(pm.body.lines, 3u);
  // Encoded message/rfc822 is opaque.
  pm = parse_message(
      "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nRnJvbTogYUBi\r\n");
  EXPECT_EQ(pm.body.type, "application");
  EXPECT_EQ(pm.body.subtype, "octet-stream");
  EXPECT_FALSE(pm.body.envelope);
  // Unknown encoding is kept as written.
  pm = parse_message("Content-Transfer-Encoding: X-UUENCODE (old)\r\n\r\nx");
  EXPECT_EQ(pm.body.encoding, "X-UUENCODE");
}

TEST(ParseMessage, DigestDefaultsToMessage) {
  std::string m =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n"
      "--d\r\n\r\nFrom: a@b\r\nSubject: one\r\n\r\nbody one\r\n"
      "--d\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
      "--d--\r\n";
  ParsedMessage pm = parse_message(m);
  ASSERT_EQ(pm.body.children.size(), 2u);
  const BodyPart& one = pm.body.children[0];
  EXPECT_EQ(one.type, "message");
  EXPECT_EQ(one.subtype, "rfc822");
  EXPECT_EQ(one.params, std::vector<Param>{});
  ASSERT_TRUE(one.envelope);
  EXPECT_EQ(one.envelope->subject, "one");
  EXPECT_EQ(body_of(m, one.children[0]), "body one");
  EXPECT_EQ(&part(pm.body, {1, 1}), &one.children[0]);
  EXPECT_EQ(find_part(pm.body, std::vector<uint32_t>{1, 2}), nullptr);
  EXPECT_EQ(pm.body.children[1].type, "text");
}

TEST(ParseMessage, MessageRfc822AtTop) {
  std::string m =
      "Content-Type: message/rfc822\r\n\r\n"
      "Subject: inside\r\n\r\ntext\r\n";
  ParsedMessage pm = parse_message(m);
  ASSERT_TRUE(pm.body.envelope);
  EXPECT_EQ(pm.body.envelope->subject, "inside");
  EXPECT_EQ(&part(pm.body, {1}), &pm.body);
  EXPECT_EQ(&part(pm.body, {1, 1}), &pm.body.children[0]);
  EXPECT_EQ(find_part(pm.body, std::vector<uint32_t>{1, 1, 1}), nullptr);
  EXPECT_EQ(body_of(m, pm.body.children[0]), "text\r\n");
}

TEST(ParseMessage, EightBitHeaders) {
  ParsedMessage pm = parse_message(
      "From: J\xC3\xB6rg M\xC3\xBCller <jm@x.de>\r\n"
      "To: Andr\xE9 <a@x.fr>\r\n"
      "Subject: caf\xE9 \xC3\xA9t\xC3\xA9\r\n\r\n");
  EXPECT_EQ(pm.envelope.from, std::vector<Address>{A("J\xC3\xB6rg M\xC3\xBCller", N, "jm", "x.de")});
  EXPECT_EQ(pm.envelope.to, std::vector<Address>{A("Andr\xE9", N, "a", "x.fr")});
  EXPECT_EQ(pm.envelope.subject, "caf\xE9 \xC3\xA9t\xC3\xA9");  // raw
  EXPECT_EQ(decode_header_text("Andr\xE9"), "Andr\xC3\xA9");
}

TEST(ParseMessage, SenderAndReplyToDefaults) {
  ParsedMessage pm = parse_message("From: a@b\r\nSender: s@b\r\nReply-To:\r\n\r\n");
  EXPECT_EQ(pm.envelope.sender, std::vector<Address>{A(N, N, "s", "b")});
  EXPECT_EQ(pm.envelope.reply_to, pm.envelope.from);
  // First of duplicate fields wins.
  pm = parse_message("Subject: one\r\nSubject: two\r\nFrom: a@b\r\nFrom: c@d\r\n\r\n");
  EXPECT_EQ(pm.envelope.subject, "one");
  EXPECT_EQ(pm.envelope.from, std::vector<Address>{A(N, N, "a", "b")});
}

TEST(ParseMessage, HugeHeader) {
  std::string m = "Subject: big\r\nX-Big: ";
  for (int i = 0; i < 2000; ++i) m += "0123456789012345678901234567890123456789012345678\r\n ";
  m += "end\r\nTo: x@y\r\n\r\nbody";
  ASSERT_GT(m.size(), 100000u);
  ParsedMessage pm = parse_message(m);
  EXPECT_EQ(pm.envelope.subject, "big");
  EXPECT_EQ(pm.envelope.to, std::vector<Address>{A(N, N, "x", "y")});
  EXPECT_EQ(pm.body.header_size, m.size() - 4);
  EXPECT_EQ(pm.body.size, 4u);
}

TEST(ParseMessage, DeepNestingIsBounded) {
  std::string m;
  for (int i = 0; i < 200; ++i)
    m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
         std::to_string(i) + "\r\n";
  m += "\r\nleaf\r\n";
  ParsedMessage pm = parse_message(m);
  const BodyPart* p = &pm.body;
  int depth = 0;
  while (!p->children.empty()) {
    p = &p->children[0];
    ++depth;
  }
  EXPECT_EQ(depth, kMaxDepth);
  EXPECT_EQ(p->type, "application");
  EXPECT_EQ(p->subtype, "octet-stream");

  std::string r;
  for (int i = 0; i < 200; ++i) r += "Content-Type: message/rfc822\r\n\r\n";
  pm = parse_message(r);
  p = &pm.body;
  depth = 0;
  while (!p->children.empty()) {
    p = &p->children[0];
    ++depth;
  }
  EXPECT_EQ(depth, kMaxDepth);
}

TEST(Header, FieldsOf) {
  auto f = header_fields_of("From: a\r\n b\r\nbogus\r\n\tcont of bogus\r\nX-A : 1\nSubject:\r\n\r\nNot: a field");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].name, "From");
  EXPECT_EQ(f[0].value, " a\r\n b");
  EXPECT_EQ(unfold(f[0].value), "a b");
  EXPECT_EQ(f[1].name, "X-A");
  EXPECT_EQ(f[1].value, " 1");
  EXPECT_EQ(f[2].name, "Subject");
  EXPECT_EQ(f[2].value, "");
  EXPECT_EQ(header_value(f, "x-a"), "1");
  EXPECT_EQ(header_value(f, "To"), N);
}

TEST(ParseMessage, AdversarialInputStaysLinear) {
  // Each of these was quadratic in a naive parser; with 1 MB they would take
  // minutes. The test passing quickly is the check.
  std::string opens;
  while (opens.size() < 1000000) opens += "=?u?q?a";
  EXPECT_EQ(decode_header_text(opens).size(), opens.size());
  std::string params = "Content-Type: text/plain";
  while (params.size() < 1000000) params += ";a" + std::to_string(params.size()) + "=b";
  params += "\r\n\r\n";
  EXPECT_GT(parse_message(params).body.params.size(), 50000u);
  std::string lines = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  while (lines.size() < 1000000) lines += "--b\r\n";
  EXPECT_GT(parse_message(lines).body.children.size(), 100000u);
  std::string addrs = "To: ";
  while (addrs.size() < 1000000) addrs += "a@b, (c) d <e>;, g:";
  addrs += "\r\n\r\n";
  EXPECT_GT(parse_message(addrs).envelope.to.size(), 10000u);
}
