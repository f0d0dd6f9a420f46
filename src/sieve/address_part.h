// Address parts for the address and envelope tests (RFC 5228 §2.7.4) and the
// subaddress extension (RFC 5233: "user+detail", separator '+'). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace courriel::sieve {

enum class AddressPart { all, localpart, domain, user, detail };

inline constexpr char kSubaddressSeparator = '+';

// The part of `address` ("local@domain"; without '@' it is all local part).
// nullopt for :detail when there is no separator (RFC 5233 §4: the test
// then fails for this address, except that :detail "" ... never matches).
std::optional<std::string> address_part(std::string_view address, AddressPart part);

// A plausible mailbox for redirect (RFC 5228 §4.2): local@domain, printable
// ASCII or UTF-8, no spaces, no angle brackets, no line breaks.
bool valid_redirect_address(std::string_view address);

}  // namespace courriel::sieve
