// RFC 5322 §3.4 address lists, with the obsolete syntax of §4.4 (obs-route,
// obs-local-part, obs-phrase, empty list members), parsed into IMAP address
// structures (RFC 3501 §7.4.2). Pure, thread-safe, total.
//
// Decisions:
// - name: the display-name phrase, quotes removed and quoted-pairs unescaped,
//   words joined by one space where the header had whitespace or a comment
//   between them; encoded words are left as written. With no phrase, a
//   comment after the addr-spec ("a@b (Real Name)") becomes the name, as in
//   Dovecot. Other comments are dropped.
// - adl: an obs-route "@a,@b" as written (without the final ':').
// - mailbox: the local part as written (quoted local parts keep their quotes,
//   so mailbox@host reconstructs the address); CFWS removed.
// - An address without '@' ("root", "<user>"): host = "MISSING_DOMAIN", as
//   Dovecot does, because a NIL host would mean group syntax to the client.
//   "<>" gives mailbox "" and host "".
// - Groups: start marker, the members, end marker; a group without its ';'
//   is closed at the end of the field.
#pragma once

#include <string_view>
#include <vector>

#include "mail/message.h"

namespace courriel::mail {

// `value`: a raw field value (folding allowed).
std::vector<Address> parse_addresses(std::string_view value);

}  // namespace courriel::mail
