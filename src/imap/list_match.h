// LIST/LSUB pattern matching (RFC 3501 §6.3.8, RFC 9051 §6.3.9): "*" matches
// any run of characters, "%" any run without the hierarchy separator; every
// other byte stands for itself. A name whose first level is INBOX has that
// level compared case-insensitively (INBOX is case-insensitive), so "inbox/%"
// matches "INBOX/Lists". Names and patterns are UTF-8 (decoded from modified
// UTF-7 by the caller); matching is bytewise otherwise.
//
// Pure functions; time O(pattern × name), memory O(pattern): no backtracking,
// so "*a*a*a*...b" costs no more than any other pattern of its length.
#pragma once

#include <string>
#include <string_view>

namespace courriel::imap {

// True if `name` matches `pattern` with hierarchy separator `sep`.
bool list_match(std::string_view pattern, std::string_view name, char sep);

// The canonical LIST pattern (RFC 3501 §6.3.8, RFC 5258 §2): the reference
// and the pattern joined. A pattern that begins with the separator, or an
// empty reference, leaves the pattern as it is; a reference not ending in the
// separator is joined as it is ("foo" + "bar" is "foobar", as in RFC 3501).
std::string list_canonical_pattern(std::string_view reference, std::string_view pattern, char sep);

}  // namespace courriel::imap
