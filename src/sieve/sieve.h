// Sieve (RFC 5228) for Courriel: the one header callers include.
//
//   auto script = sieve::parse(text);           // parse + validate
//   auto actions = sieve::run(*script, msg, envelope, environment);
//   if (!actions) -> keep the message in INBOX (RFC 5228 §2.10.6)
//
// Supported extensions: see validator.h supported_extensions().
#pragma once

#include "sieve/ast.h"
#include "sieve/interpreter.h"
#include "sieve/parser.h"
#include "sieve/runtime.h"
#include "sieve/validator.h"
