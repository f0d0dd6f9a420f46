// Validation of a parsed Sieve script (RFC 5228 §2.10.5, §3.2, and each
// extension's syntax): required capabilities are known, every command and
// test is known and its extension required, tagged and positional arguments
// have the right types and count, constant values are in range.
// Pure, thread-safe.
#pragma once

#include <string_view>

#include "base/result.h"
#include "sieve/ast.h"

namespace courriel::sieve {

// The capabilities this implementation supports ("require" accepts them),
// space-separated, as ManageSieve's SIEVE capability lists them.
std::string_view supported_extensions();
bool is_supported_extension(std::string_view name);

// Checks `script` and fills its Node::tagged / Node::positional and
// Script::extensions. Errc::invalid, "line N: message" on the first problem.
Status validate(Script& script);

}  // namespace courriel::sieve
