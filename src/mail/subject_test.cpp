#include "mail/subject.h"

#include <gtest/gtest.h>

using namespace courriel::mail;

TEST(BaseSubject, Rfc5256Table) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"Hello", "Hello"},
      {"Re: Hello", "Hello"},
      {"RE: re: Re:Hello", "Hello"},
      {"Fwd: Hello", "Hello"},
      {"Fw: Hello", "Hello"},
      {"Re[2]: Hello", "Hello"},
      {"Re [2]: Hello", "Hello"},
      {"[list] Re: Hello", "Hello"},
      {"[list] [tag] Re: [list] Hello", "Hello"},
      {"Hello (fwd)", "Hello"},
      {"Hello (fwd) (FWD)  ", "Hello"},
      {"[Fwd: Re: Hello]", "Hello"},
      {"[fwd: [Fwd: Hello (fwd)]]", "Hello"},
      {"Re: [Fwd: Hello]", "Hello"},
      {"[only a blob]", "[only a blob]"},
      {"Re:", ""},
      {"", ""},
      {"  Hello\t \tworld  ", "Hello world"},
      {"Reply to me", "Reply to me"},
      {"Fwdx: Hello", "Fwdx: Hello"},
      {"Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", "Gr\xC3\xBC\xC3\x9F" "e"},
      {"=?ISO-8859-1?Q?Re=3A_Hello?=", "Hello"},
  };
  for (const auto& c : cases) EXPECT_EQ(base_subject(c.in), c.out) << c.in;
}
