// i;unicode-casemap (RFC 5051 §2), the collation IMAP SEARCH, SORT and THREAD
// compare strings with (RFC 5255 I18NLEVEL=1, RFC 5256 §7). Pure, thread-safe.
//
// RFC 5051 maps each character to its simple titlecase form, then applies
// NFKD, and compares the results as octets. This is a table-driven rendering of
// exactly that (casemap_table.inc, generated from Python's unicodedata by
// gen_casemap.py), applied per code point:
//   - every code point whose mapping is not itself is in the table (Latin,
//     Greek, Cyrillic, Armenian, Georgian, full-width forms, ligatures,
//     compatibility characters ...), except Hangul syllables, which stay
//     composed (NFKD would split them into jamo; both sides of a comparison
//     are mapped alike, so only decomposed-jamo input would differ);
//   - the titlecase step is re-applied after the decomposition (so "ǆ" and
//     "dž" typed as three letters map alike, which a single pass would miss);
//   - combining marks are kept, as NFKD keeps them: "É", "é" and "e"+U+0301
//     all map to "E"+U+0301, and a search for "cafe" finds "café" (as in
//     Dovecot) while "café" does not find "cafe";
//   - no canonical reordering of runs of several combining marks (rare).
// Ill-formed UTF-8 sequences map to U+FFFD, as RFC 5051 asks of invalid input.
#pragma once

#include <string>
#include <string_view>

namespace courriel::search {

// Appends the i;unicode-casemap form of UTF-8 `text` to `out`.
void casemap_append(std::string_view text, std::string& out);

inline std::string casemap(std::string_view text) {
  std::string out;
  casemap_append(text, out);
  return out;
}

}  // namespace courriel::search
