// The Sieve interpreter (RFC 5228 §2.10, §4-5 and the extensions in
// validator.h): runs a validated Script over one message and returns the
// final list of actions; the caller performs them. Pure: no I/O besides the
// Environment callbacks; thread-safe for distinct arguments.
#pragma once

#include "base/result.h"
#include "sieve/ast.h"
#include "sieve/runtime.h"

namespace courriel::sieve {

// REQUIRES: `script` came from parse() (validated).
// Errors (Errc::invalid, "line N: ..."): run-time errors of RFC 5228 §2.10.6
// (reject with keep/fileinto/redirect/vacation, two vacations, too many
// actions or redirects, a bad mailbox or address built from variables). The
// caller then keeps the message in INBOX: nothing is lost.
Result<Actions> run(const Script& script, const Message& msg, const Envelope& env,
                    const Environment& cfg);

}  // namespace courriel::sieve
