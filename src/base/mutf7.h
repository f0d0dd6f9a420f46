// Modified UTF-7 mailbox names (RFC 3501 §5.1.3), the wire form of mailbox
// names in IMAP4rev1 sessions without UTF8=ACCEPT. Inside Courriel every name
// is UTF-8 (DESIGN.md §4); these convert at the protocol edge.
//
// Pure functions over bytes; results own their bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace courriel {

// Decodes a modified UTF-7 name to UTF-8. Strict: nullopt for anything that is
// not the canonical encoding of some name — bytes outside 0x20-0x7e, an
// unterminated "&" shift, characters outside the modified base64 alphabet,
// non-zero or excess padding bits, printable ASCII inside a shift ("&AGE-"),
// two adjacent shifts ("&AOQ-&AOQ-"), broken UTF-16 surrogates.
//
// `encoded_ascii` lists printable characters that may appear inside a shift
// all the same: the Maildir++ layout writes '.' as "&AC4-" on disk because '.'
// separates levels there (store/maildir/layout.h). Never on the wire.
std::optional<std::string> mutf7_decode(std::string_view mutf7,
                                        std::string_view encoded_ascii = {});

// Encodes UTF-8 as canonical modified UTF-7. Bytes that are not valid UTF-8
// are each encoded as U+FFFD. For any x, mutf7_decode(mutf7_encode(x)) gives
// x when x is valid UTF-8, and mutf7_encode(*mutf7_decode(y)) == y.
// Characters in `also_encode` go inside a shift even though printable (see
// mutf7_decode); with it empty the result is canonical.
std::string mutf7_encode(std::string_view utf8, std::string_view also_encode = {});

}  // namespace courriel
