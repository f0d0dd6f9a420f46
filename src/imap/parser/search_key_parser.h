// Search program grammar (RFC 3501 §6.4.4, RFC 9051 §6.4.4), internal to
// imap/parser: SEARCH, SORT and THREAD share it.
#pragma once

#include "imap/parser/command.h"
#include "imap/parser/cursor.h"

namespace courriel::imap {

// search-key, recursing through "(" ")" / NOT / OR at most kMaxNesting deep.
bool parse_search_key(Cursor& c, SearchKey& out);

// 1*(SP search-key) is the caller's: this parses search-key *(SP search-key) to
// the end of the input into a Kind::and_ node.
bool parse_search_keys(Cursor& c, SearchKey& out);

// search-return-opts (RFC 4731 §3, RFC 9051): "RETURN" SP "(" [opt *(SP opt)] ")";
// the cursor is after "RETURN" SP. An empty list means ALL (RFC 4731).
bool parse_search_return(Cursor& c, SearchReturn& out);

}  // namespace courriel::imap
