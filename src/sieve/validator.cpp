#include "sieve/validator.h"

#include <array>
#include <initializer_list>

#include "base/ascii.h"
#include "base/utf8.h"
#include "sieve/date.h"
#include "sieve/encoded_character.h"
#include "sieve/match.h"
#include "sieve/address_part.h"
#include "sieve/variables.h"

namespace courriel::sieve {
namespace {

constexpr std::array<std::string_view, 19> kExtensions = {
    "fileinto", "reject", "ereject", "envelope", "imap4flags", "body", "relational",
    "subaddress", "copy", "vacation", "variables", "date", "index", "mailbox", "regex",
    "comparator-i;octet", "comparator-i;ascii-casemap", "comparator-i;ascii-numeric",
    "encoded-character"};

enum class Arg { none, number, string, string_list };

struct TagSpec {
  std::string_view tag;
  std::string_view ext;  // "" = core
  Arg arg;
  int group;  // tags of one non-zero group exclude each other
};

enum class Tests { none, one, list };

struct Spec {
  std::string_view name;
  std::string_view ext;
  bool is_test;
  std::vector<TagSpec> tags;
  std::vector<Arg> positional;
  size_t min_positional;
  Tests tests = Tests::none;
  bool block = false;
};

enum Group { kNone, kComparator, kMatch, kAddressPart, kBodyTransform, kSize, kZone, kCase, kFirst };

std::vector<TagSpec> with(std::initializer_list<std::vector<TagSpec>> parts) {
  std::vector<TagSpec> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const std::vector<TagSpec> kComparatorTags = {{"comparator", "", Arg::string, kComparator}};
const std::vector<TagSpec> kMatchTags = {
    {"is", "", Arg::none, kMatch},          {"contains", "", Arg::none, kMatch},
    {"matches", "", Arg::none, kMatch},     {"regex", "regex", Arg::none, kMatch},
    {"count", "relational", Arg::string, kMatch}, {"value", "relational", Arg::string, kMatch}};
const std::vector<TagSpec> kAddressTags = {
    {"all", "", Arg::none, kAddressPart},        {"localpart", "", Arg::none, kAddressPart},
    {"domain", "", Arg::none, kAddressPart},     {"user", "subaddress", Arg::none, kAddressPart},
    {"detail", "subaddress", Arg::none, kAddressPart}};
const std::vector<TagSpec> kIndexTags = {{"index", "index", Arg::number, kNone},
                                         {"last", "index", Arg::none, kNone}};

const std::vector<Spec>& specs() {
  using A = Arg;
  static const std::vector<Spec> s = {
      {"require", "", false, {}, {A::string_list}, 1},
      {"if", "", false, {}, {}, 0, Tests::one, true},
      {"elsif", "", false, {}, {}, 0, Tests::one, true},
      {"else", "", false, {}, {}, 0, Tests::none, true},
      {"stop", "", false, {}, {}, 0},
      {"keep", "", false, {{"flags", "imap4flags", A::string_list, kNone}}, {}, 0},
      {"discard", "", false, {}, {}, 0},
      {"fileinto", "fileinto", false,
       {{"copy", "copy", A::none, kNone}, {"flags", "imap4flags", A::string_list, kNone},
        {"create", "mailbox", A::none, kNone}},
       {A::string}, 1},
      {"redirect", "", false, {{"copy", "copy", A::none, kNone}}, {A::string}, 1},
      {"reject", "reject", false, {}, {A::string}, 1},
      {"ereject", "ereject", false, {}, {A::string}, 1},
      {"vacation", "vacation", false,
       {{"days", "", A::number, kNone}, {"subject", "", A::string, kNone},
        {"from", "", A::string, kNone}, {"addresses", "", A::string_list, kNone},
        {"mime", "", A::none, kNone}, {"handle", "", A::string, kNone}},
       {A::string}, 1},
      {"setflag", "imap4flags", false, {}, {A::string_list, A::string_list}, 1},
      {"addflag", "imap4flags", false, {}, {A::string_list, A::string_list}, 1},
      {"removeflag", "imap4flags", false, {}, {A::string_list, A::string_list}, 1},
      {"set", "variables", false,
       {{"lower", "", A::none, kCase}, {"upper", "", A::none, kCase},
        {"lowerfirst", "", A::none, kFirst}, {"upperfirst", "", A::none, kFirst},
        {"quotewildcard", "", A::none, kNone}, {"length", "", A::none, kNone}},
       {A::string, A::string}, 2},
      // Tests.
      {"address", "", true, with({kComparatorTags, kMatchTags, kAddressTags, kIndexTags}),
       {A::string_list, A::string_list}, 2},
      {"envelope", "envelope", true, with({kComparatorTags, kMatchTags, kAddressTags}),
       {A::string_list, A::string_list}, 2},
      {"header", "", true, with({kComparatorTags, kMatchTags, kIndexTags}),
       {A::string_list, A::string_list}, 2},
      {"exists", "", true, {}, {A::string_list}, 1},
      {"size", "", true, {{"over", "", A::number, kSize}, {"under", "", A::number, kSize}}, {}, 0},
      {"true", "", true, {}, {}, 0},
      {"false", "", true, {}, {}, 0},
      {"not", "", true, {}, {}, 0, Tests::one},
      {"allof", "", true, {}, {}, 0, Tests::list},
      {"anyof", "", true, {}, {}, 0, Tests::list},
      {"body", "body", true,
       with({kComparatorTags, kMatchTags,
             {{"raw", "", A::none, kBodyTransform},
              {"content", "", A::string_list, kBodyTransform},
              {"text", "", A::none, kBodyTransform}}}),
       {A::string_list}, 1},
      {"date", "date", true,
       with({kComparatorTags, kMatchTags, kIndexTags,
             {{"zone", "", A::string, kZone}, {"originalzone", "", A::none, kZone}}}),
       {A::string, A::string, A::string_list}, 3},
      {"currentdate", "date", true,
       with({kComparatorTags, kMatchTags, {{"zone", "", A::string, kZone}}}),
       {A::string, A::string_list}, 2},
      {"mailboxexists", "mailbox", true, {}, {A::string_list}, 1},
      {"hasflag", "imap4flags", true, with({kComparatorTags, kMatchTags}),
       {A::string_list, A::string_list}, 1},
      {"string", "variables", true, with({kComparatorTags, kMatchTags}),
       {A::string_list, A::string_list}, 2},
  };
  return s;
}

const Spec* find_spec(std::string_view name, bool is_test) {
  for (const Spec& s : specs())
    if (s.name == name && s.is_test == is_test) return &s;
  return nullptr;
}

Error fail(int line, std::string_view msg) {
  return make_error(Errc::invalid, "line " + std::to_string(line) + ": " + std::string(msg));
}

class Validator {
 public:
  explicit Validator(Script& s) : s_(s) {}

  Status run() {
    bool requires_allowed = true;
    for (Node& n : s_.commands) {
      if (n.name == "require") {
        if (!requires_allowed) return fail(n.line, "require must come before other commands");
        if (auto st = node(n, false); !st) return st;
        for (const std::string& e : n.positional[0].strings) {
          if (!is_supported_extension(e)) return fail(n.line, "unknown extension \"" + ascii::printable(e) + "\"");
          if (!s_.has(e)) s_.extensions.push_back(e);
        }
        if (s_.has("variables")) s_.uses_variables = true;
        continue;
      }
      requires_allowed = false;
    }
    if (s_.has("encoded-character"))
      for (Node& n : s_.commands)
        if (auto st = decode_strings(n); !st) return st;
    return commands(s_.commands, true);
  }

 private:
  Status commands(std::vector<Node>& cmds, bool top) {
    std::string_view prev;
    for (Node& n : cmds) {
      if (n.name == "require") {
        if (!top) return fail(n.line, "require must be at the top level");
        prev = n.name;
        continue;
      }
      if ((n.name == "elsif" || n.name == "else") && prev != "if" && prev != "elsif")
        return fail(n.line, n.name + " without if");
      if (auto st = node(n, false); !st) return st;
      if (auto st = commands(n.block, false); !st) return st;
      prev = n.name;
    }
    return {};
  }

  // RFC 5228 §2.4.2.4: decoded once, before any other use of the strings.
  Status decode_strings(Node& n) {
    for (Argument& a : n.args) {
      for (std::string& v : a.strings) {
        if (v.find("${") == std::string::npos) continue;
        auto d = decode_encoded_characters(v);
        if (!d) return fail(a.line, d.error().detail);
        v = std::move(*d);
      }
    }
    for (Node& t : n.tests)
      if (auto st = decode_strings(t); !st) return st;
    for (Node& c : n.block)
      if (auto st = decode_strings(c); !st) return st;
    return {};
  }

  bool constant(const std::string& v) const {
    return !s_.uses_variables || v.find("${") == std::string::npos;
  }

  Status node(Node& n, bool is_test) {
    const Spec* spec = find_spec(n.name, is_test);
    if (!spec) {
      if (find_spec(n.name, !is_test))
        return fail(n.line, (is_test ? "command used as a test: " : "test used as a command: ") + n.name);
      return fail(n.line, std::string(is_test ? "unknown test " : "unknown command ") + ascii::printable(n.name));
    }
    if (!spec->ext.empty() && !s_.has(spec->ext))
      return fail(n.line, n.name + " requires \"" + std::string(spec->ext) + "\"");
    n.tagged.clear();
    n.positional.clear();
    std::vector<int> groups;
    for (size_t i = 0; i < n.args.size(); ++i) {
      Argument& a = n.args[i];
      if (a.kind != Argument::Kind::tag) {
        n.positional.push_back(a);
        continue;
      }
      if (!n.positional.empty()) return fail(a.line, "tagged argument :" + a.tag + " after positional ones");
      const TagSpec* ts = nullptr;
      for (const TagSpec& t : spec->tags)
        if (t.tag == a.tag) ts = &t;
      if (!ts) return fail(a.line, "unknown tagged argument :" + ascii::printable(a.tag) + " for " + n.name);
      if (!ts->ext.empty() && !s_.has(ts->ext))
        return fail(a.line, ":" + a.tag + " requires \"" + std::string(ts->ext) + "\"");
      if (n.tag(a.tag)) return fail(a.line, "duplicate :" + a.tag);
      if (ts->group != kNone) {
        for (int g : groups)
          if (g == ts->group) return fail(a.line, ":" + a.tag + " conflicts with an earlier tag");
        groups.push_back(ts->group);
      }
      Node::Tagged t;
      t.tag = a.tag;
      t.value = a;
      if (ts->arg != Arg::none) {
        if (i + 1 >= n.args.size() || n.args[i + 1].kind == Argument::Kind::tag)
          return fail(a.line, ":" + a.tag + " needs an argument");
        Argument& v = n.args[++i];
        if (auto st = type(v, ts->arg, ":" + a.tag); !st) return st;
        t.value = v;
      }
      n.tagged.push_back(std::move(t));
    }
    if (n.positional.size() < spec->min_positional)
      return fail(n.line, n.name + ": missing argument");
    if (n.positional.size() > spec->positional.size())
      return fail(n.positional[spec->positional.size()].line, n.name + ": too many arguments");
    // Optional leading positionals (setflag "var" "flags"): align from the end.
    size_t skip = spec->positional.size() - n.positional.size();
    for (size_t i = 0; i < n.positional.size(); ++i)
      if (auto st = type(n.positional[i], spec->positional[i + skip], n.name); !st) return st;

    switch (spec->tests) {
      case Tests::none:
        if (!n.tests.empty()) return fail(n.tests[0].line, n.name + " takes no test");
        break;
      case Tests::one:
        if (n.tests.size() != 1 || n.test_list) return fail(n.line, n.name + " needs exactly one test");
        break;
      case Tests::list:
        if (!n.test_list) return fail(n.line, n.name + " needs a test list");
        break;
    }
    if (spec->block && !n.has_block) return fail(n.line, n.name + " needs a block");
    if (!spec->block && n.has_block) return fail(n.line, n.name + " takes no block");
    for (Node& t : n.tests)
      if (auto st = node(t, true); !st) return st;
    return specific(n);
  }

  Status type(const Argument& a, Arg want, const std::string& what) {
    switch (want) {
      case Arg::none:
        return fail(a.line, what + ": unexpected argument");
      case Arg::number:
        if (a.kind != Argument::Kind::number) return fail(a.line, what + " needs a number");
        return {};
      case Arg::string:
        if (a.kind != Argument::Kind::strings || a.is_list)
          return fail(a.line, what + " needs a string");
        return {};
      case Arg::string_list:
        if (a.kind != Argument::Kind::strings) return fail(a.line, what + " needs a string list");
        return {};
    }
    return {};
  }

  // Checks that need the meaning of the arguments.
  Status specific(const Node& n) {
    MatchKind mk = MatchKind::is;
    std::string comparator = "i;ascii-casemap";
    if (const auto* t = n.tag("comparator")) {
      comparator = t->value.strings[0];
      if (comparator != "i;octet" && comparator != "i;ascii-casemap" && comparator != "i;ascii-numeric")
        return fail(t->value.line, "unknown comparator \"" + ascii::printable(comparator) + "\"");
      if (comparator == "i;ascii-numeric" && !s_.has("comparator-i;ascii-numeric"))
        return fail(t->value.line, "comparator i;ascii-numeric requires \"comparator-i;ascii-numeric\"");
    }
    for (const auto& t : n.tagged) {
      if (t.tag == "contains") mk = MatchKind::contains;
      else if (t.tag == "matches") mk = MatchKind::matches;
      else if (t.tag == "regex") mk = MatchKind::regex;
      else if (t.tag == "count" || t.tag == "value") {
        mk = MatchKind::count;
        if (!parse_relation(t.value.strings[0]) && constant(t.value.strings[0]))
          return fail(t.value.line, "unknown relational operator \"" + ascii::printable(t.value.strings[0]) + "\"");
      }
    }
    if (comparator == "i;ascii-numeric" &&
        (mk == MatchKind::contains || mk == MatchKind::matches || mk == MatchKind::regex))
      return fail(n.line, "comparator i;ascii-numeric supports only :is, :count and :value");
    if (mk == MatchKind::regex && !n.positional.empty()) {
      int flags = comparator == "i;ascii-casemap" ? 1 : 0;
      for (const std::string& k : n.positional.back().strings)
        if (constant(k))
          if (auto st = check_regex(k, flags); !st)
            return fail(n.positional.back().line, st.error().detail);
    }
    if (n.tag("last") && !n.tag("index")) return fail(n.tag("last")->value.line, ":last needs :index");
    if (const auto* t = n.tag("index"); t && t->value.number == 0)
      return fail(t->value.line, ":index must be at least 1");

    if (n.name == "size" && n.tagged.empty()) return fail(n.line, "size needs :over or :under");
    if (n.name == "vacation") {
      if (const auto* t = n.tag("days"); t && (t->value.number < 1 || t->value.number > 3650))
        return fail(t->value.line, ":days must be between 1 and 3650");
    }
    if (n.name == "envelope") {
      for (const std::string& p : n.positional[0].strings)
        if (constant(p) && !ascii::iequals(p, "from") && !ascii::iequals(p, "to"))
          return fail(n.positional[0].line, "unknown envelope part \"" + ascii::printable(p) + "\"");
    }
    if (n.name == "header" || n.name == "address" || n.name == "exists" || n.name == "date") {
      for (const std::string& h : n.positional[0].strings) {
        if (!constant(h)) continue;
        bool ok = !h.empty();
        for (char c : h)
          if (c <= 32 || c >= 127 || c == ':') ok = false;
        if (!ok) return fail(n.positional[0].line, "bad header name \"" + ascii::printable(h) + "\"");
      }
    }
    if (n.name == "date" || n.name == "currentdate") {
      const Argument& part = n.positional[n.name == "date" ? 1 : 0];
      if (constant(part.strings[0]) && !is_date_part(part.strings[0]))
        return fail(part.line, "unknown date part \"" + ascii::printable(part.strings[0]) + "\"");
      if (const auto* z = n.tag("zone"); z && constant(z->value.strings[0]) && !parse_zone(z->value.strings[0]))
        return fail(z->value.line, "bad zone \"" + ascii::printable(z->value.strings[0]) + "\"");
    }
    if (n.name == "set") {
      const std::string& name = n.positional[0].strings[0];
      if (!valid_variable_name(name)) return fail(n.positional[0].line, "bad variable name \"" + ascii::printable(name) + "\"");
    }
    if (n.name == "setflag" || n.name == "addflag" || n.name == "removeflag") {
      if (n.positional.size() == 2) {
        if (n.positional[0].is_list) return fail(n.positional[0].line, n.name + ": variable name must be a string");
        if (!valid_variable_name(n.positional[0].strings[0]))
          return fail(n.positional[0].line, "bad variable name");
      }
    }
    if (n.name == "hasflag" && n.positional.size() == 2) {
      for (const std::string& v : n.positional[0].strings)
        if (!valid_variable_name(v)) return fail(n.positional[0].line, "bad variable name");
    }
    if (n.name == "redirect") {
      const std::string& a = n.positional[0].strings[0];
      if (constant(a) && !valid_redirect_address(a))
        return fail(n.positional[0].line, "bad redirect address \"" + ascii::printable(a) + "\"");
    }
    if (n.name == "fileinto") {
      const std::string& m = n.positional[0].strings[0];
      if (m.empty() || !valid_utf8(m)) return fail(n.positional[0].line, "bad mailbox name");
    }
    return {};
  }

  Script& s_;
};

}  // namespace

std::string_view supported_extensions() {
  return "fileinto reject ereject envelope imap4flags body relational subaddress copy vacation "
         "variables date index mailbox regex comparator-i;octet comparator-i;ascii-casemap "
         "comparator-i;ascii-numeric encoded-character";
}

bool is_supported_extension(std::string_view name) {
  for (std::string_view e : kExtensions)
    if (e == name) return true;
  return false;
}

Status validate(Script& script) {
  script.extensions.clear();
  script.uses_variables = false;
  return Validator(script).run();
}

}  // namespace courriel::sieve
