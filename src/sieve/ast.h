// The syntax tree of a Sieve script (RFC 5228 §8.2) and the facts the
// validator (validator.h) adds to it. Plain values, thread-safe to share once
// built.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace courriel::sieve {

// One argument (RFC 5228 §2.6): a tag (":is", stored without the colon and
// lowercased), a number (K/M/G already applied), or strings. A single string
// and a string list differ only in `is_list`.
struct Argument {
  enum class Kind { tag, number, strings };
  Kind kind = Kind::strings;
  std::string tag;
  uint64_t number = 0;
  std::vector<std::string> strings;
  bool is_list = false;
  int line = 0;
};

// A command or a test: identifier (lowercased), arguments, then a test or
// test list (`tests`), then, for commands, a block.
struct Node {
  std::string name;
  int line = 0;
  std::vector<Argument> args;
  std::vector<Node> tests;
  bool test_list = false;  // tests came as "(t1, t2)"
  std::vector<Node> block;
  bool has_block = false;

  // Filled by validate(): tagged arguments (tag -> its value, if any) and the
  // positional ones, in order.
  struct Tagged {
    std::string tag;
    Argument value;  // Kind::tag when the tag takes no value
  };
  std::vector<Tagged> tagged;
  std::vector<Argument> positional;

  const Tagged* tag(std::string_view t) const {
    for (const Tagged& x : tagged)
      if (x.tag == t) return &x;
    return nullptr;
  }
};

struct Script {
  std::vector<Node> commands;
  std::vector<std::string> extensions;  // every "require"d capability
  bool uses_variables = false;          // "variables" was required
  bool has(std::string_view ext) const {
    for (const std::string& e : extensions)
      if (e == ext) return true;
    return false;
  }
};

}  // namespace courriel::sieve
