#include "mail/decode.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace courriel::mail;

TEST(DecodeHeaderText, EncodedWords) {
  EXPECT_EQ(decode_header_text("=?UTF-8?B?SsO2cmc=?="), "J\xC3\xB6rg");
  EXPECT_EQ(decode_header_text("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "Andr\xC3\xA9 Pirard");
  EXPECT_EQ(decode_header_text("=?iso-8859-1?q?this=20is=20some=20text?="), "this is some text");
  EXPECT_EQ(decode_header_text("=?windows-1252?Q?=93quoted=94_=80?="),
            "\xE2\x80\x9Cquoted\xE2\x80\x9D \xE2\x82\xAC");
  EXPECT_EQ(decode_header_text("=?koi8-r?B?8NLJ18XU?="), "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  // ISO-2022-JP: "日本語" = ESC $ B F| K\ 8l ESC ( B
  EXPECT_EQ(decode_header_text("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?="),
            "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  EXPECT_EQ(decode_header_text("=?gb2312?B?1tDOxA==?="), "\xE4\xB8\xAD\xE6\x96\x87");
  EXPECT_EQ(decode_header_text("=?Shift_JIS?B?k/qWe4zq?="), "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  EXPECT_EQ(decode_header_text("=?euc-kr?B?x9GxuQ==?="), "\xED\x95\x9C\xEA\xB5\xAD");
  EXPECT_EQ(decode_header_text("=?big5?B?pKSk5Q==?="), "\xE4\xB8\xAD\xE6\x96\x87");
  EXPECT_EQ(decode_header_text("=?UTF-8*en?Q?hi?="), "hi");
}

TEST(DecodeHeaderText, RFC2047Examples) {
  // RFC 2047 §8: whitespace between adjacent encoded words is dropped.
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?=)"), "(a)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?=  \r\n  =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)");
  // A UTF-8 character split across two words survives.
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?J=C3?= =?UTF-8?Q?=B6rg?="), "J\xC3\xB6rg");
  EXPECT_EQ(decode_header_text("a =?UTF-8?Q?b?= c"), "a b c");
}

TEST(DecodeHeaderText, Leniency) {
  // Unknown charset, bad encoding, unterminated: left as written.
  EXPECT_EQ(decode_header_text("=?x-unknown?Q?abc?="), "=?x-unknown?Q?abc?=");
  EXPECT_EQ(decode_header_text("=?UTF-8?X?abc?="), "=?UTF-8?X?abc?=");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?abc"), "=?UTF-8?Q?abc");
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a b?="), "=?UTF-8?Q?a b?=");
  // Invalid UTF-8 in a UTF-8 word: U+FFFD.
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a=FFb?="), "a\xEF\xBF\xBD" "b");
  // Raw 8-bit: UTF-8 kept, else windows-1252.
  EXPECT_EQ(decode_header_text("J\xC3\xB6rg"), "J\xC3\xB6rg");
  EXPECT_EQ(decode_header_text("J\xF6rg \x80"), "J\xC3\xB6rg \xE2\x82\xAC");
  EXPECT_EQ(decode_header_text(""), "");
  EXPECT_EQ(decode_header_text("plain text"), "plain text");
}

TEST(TransferEncoding, Base64) {
  EXPECT_EQ(*decode_transfer_encoding("aGVsbG8gd29ybGQ=\r\n", "base64"), "hello world");
  EXPECT_EQ(*decode_transfer_encoding("aGVs\r\nbG8g\nd29y bGQ=", " BASE64 "), "hello world");
  // Garbage skipped, missing padding accepted, concatenated chunks.
  EXPECT_EQ(*decode_transfer_encoding("aGV*sbG8!", "base64"), "hello");
  EXPECT_EQ(*decode_transfer_encoding("aGk=aGk=", "base64"), "hihi");
  EXPECT_EQ(*decode_transfer_encoding("", "base64"), "");
  EXPECT_EQ(*decode_transfer_encoding("a", "base64"), "");
  EXPECT_EQ(*decode_transfer_encoding("====", "base64"), "");
}

TEST(TransferEncoding, QuotedPrintable) {
  EXPECT_EQ(*decode_transfer_encoding("caf=C3=A9\r\n", "quoted-printable"), "caf\xC3\xA9\r\n");
  EXPECT_EQ(*decode_transfer_encoding("soft=\r\nbreak", "Quoted-Printable"), "softbreak");
  EXPECT_EQ(*decode_transfer_encoding("soft= \t\nbreak\n", "quoted-printable"), "softbreak\n");
  EXPECT_EQ(*decode_transfer_encoding("trailing   \r\nx", "quoted-printable"), "trailing\r\nx");
  EXPECT_EQ(*decode_transfer_encoding("lower=c3=a9", "quoted-printable"), "lower\xC3\xA9");
  EXPECT_EQ(*decode_transfer_encoding("bad=ZZ =4 =", "quoted-printable"), "bad=ZZ =4 ");
  EXPECT_EQ(*decode_transfer_encoding("a=3D=\n", "quoted-printable"), "a=");
  EXPECT_EQ(*decode_transfer_encoding("", "quoted-printable"), "");
}

TEST(TransferEncoding, IdentityAndUnknown) {
  EXPECT_EQ(*decode_transfer_encoding("x\xFFy", "8bit"), "x\xFFy");
  EXPECT_EQ(*decode_transfer_encoding("x", "7BIT"), "x");
  EXPECT_EQ(*decode_transfer_encoding("x", "binary"), "x");
  EXPECT_EQ(*decode_transfer_encoding("x", ""), "x");
  auto r = decode_transfer_encoding("x", "x-uuencode");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code(), courriel::Errc::invalid);
}

TEST(ToUtf8, Charsets) {
  EXPECT_EQ(to_utf8("abc", "US-ASCII"), "abc");
  EXPECT_EQ(to_utf8("caf\xE9", "iso-8859-1"), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("caf\xC3\xA9", "latin1"), "caf\xC3\xA9");  // mislabelled UTF-8
  EXPECT_EQ(to_utf8("\xA4", "ISO-8859-15"), "\xE2\x82\xAC");
  EXPECT_EQ(to_utf8("\xB1", "iso8859-2"), "\xC4\x85");
  EXPECT_EQ(to_utf8("\xC0", "windows-1251"), "\xD0\x90");
  EXPECT_EQ(to_utf8("\xC0", "CP1251"), "\xD0\x90");
  EXPECT_EQ(to_utf8("\xE1", "KOI8-R"), "\xD0\x90");
  EXPECT_EQ(to_utf8("\xA4\xA2", "EUC-JP"), "\xE3\x81\x82");
  EXPECT_EQ(to_utf8("\xD6\xD0", "GBK"), "\xE4\xB8\xAD");
  EXPECT_EQ(to_utf8("\x82\xA0", "sjis"), "\xE3\x81\x82");
  EXPECT_EQ(to_utf8("ok\xFF", "utf-8"), "ok\xEF\xBF\xBD");
  EXPECT_EQ(to_utf8("x", "no-such-charset"), std::nullopt);
  EXPECT_EQ(to_utf8("x", "iso-8859-12"), std::nullopt);
  EXPECT_EQ(to_utf8("x", "iso-8859-99"), std::nullopt);
  EXPECT_EQ(to_utf8("x", "ISO-2022-CN-EXT"), std::nullopt);  // never reaches iconv
  // Truncated multibyte input: replaced, not dropped silently.
  EXPECT_EQ(to_utf8("a\xD6", "gb18030"), "a\xEF\xBF\xBD");
  EXPECT_EQ(to_utf8("\x1B$BF|", "iso-2022-jp"), "\xE6\x97\xA5");  // no final ESC ( B
}

TEST(ToUtf8, ThreadSafe) {
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        if (to_utf8("\xE1", "koi8-r") != "\xD0\x90" || to_utf8("\xC0", "cp1251") != "\xD0\x90")
          ++bad;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}
