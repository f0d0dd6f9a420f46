// FETCH attribute grammar (RFC 3501 §6.4.5, RFC 9051 §6.4.5, RFC 3516 BINARY,
// RFC 7162 MODSEQ), internal to imap/parser.
#pragma once

#include <vector>

#include "imap/parser/command.h"
#include "imap/parser/cursor.h"

namespace courriel::imap {

// "ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")";
// the macros are expanded.
bool parse_fetch_atts(Cursor& c, std::vector<FetchAtt>& out);

// One fetch-att.
bool parse_fetch_att(Cursor& c, FetchAtt& out);

}  // namespace courriel::imap
