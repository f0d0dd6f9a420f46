// Pure helpers for the response writer (server -> client): how a value is put
// on the wire so that any client's parser reads it back (RFC 3501 §4, RFC 9051
// §4). All append to `out`; none keeps a reference to its arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace courriel::imap {

// string: quoted when every byte may be quoted (no CR, LF or NUL; no 8-bit
// unless `utf8` and then valid UTF-8; under 1000 bytes), else a literal
// "{n}\r\n" followed by the bytes. NUL bytes cannot be sent in a plain literal
// (RFC 3501 §4.3); callers with binary data use literal8 themselves.
void append_string(std::string& out, std::string_view s, bool utf8);

// astring: an atom when the bytes allow (1*ASTRING-CHAR, and not "NIL"), else
// append_string.
void append_astring(std::string& out, std::string_view s, bool utf8);

// nstring: NIL for nullopt, else append_string.
void append_nstring(std::string& out, std::optional<std::string_view> s, bool utf8);

// An atom when every byte is an ATOM-CHAR (and not "NIL"), else append_string.
void append_atom_or_string(std::string& out, std::string_view s, bool utf8);

// A mailbox name (UTF-8 inside Courriel): modified UTF-7 unless the session
// accepted UTF-8 (RFC 6855 §3, RFC 9051), then as an astring.
void append_mailbox(std::string& out, std::string_view utf8_name, bool utf8_accepted);

// sequence-set in compact form from sorted numbers: {1,2,3,5,7,8,9} ->
// "1:3,5,7:9". Duplicates are skipped. REQUIRES: sorted ascending, non-empty,
// no zero (nothing is appended for an empty list).
void append_sequence_set(std::string& out, std::span<const uint32_t> sorted);

// date-time (RFC 3501 §9) of an instant, shown in the given zone:
// "dd-Mon-yyyy hh:mm:ss +zzzz" (without the quotes; day zero-padded).
std::string format_internal_date(int64_t epoch, int offset_minutes);

}  // namespace courriel::imap
