// A compact binary form of ParsedMessage for the index cache, so FETCH
// ENVELOPE/BODYSTRUCTURE and section fetches never reparse the message.
//
// Format (version 1): the byte 0x01, then the envelope and the body part.
// Integers are LEB128 varints; a string is its length then its bytes; an
// optional is a 0/1 byte then the value; a list is its count then its items.
// deserialize() checks every length against the bytes left, bounds nesting,
// checks the BodyPart invariants of message.h, and rejects trailing bytes: on
// any garbage it returns nullopt and never crashes. A new version number is
// the way to change the format; old versions then read as nullopt (reparse).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mail/message.h"

namespace courriel::mail {

std::string serialize(const ParsedMessage& message);
std::optional<ParsedMessage> deserialize(std::string_view bytes);

}  // namespace courriel::mail
