#include "sieve/interpreter.h"

#include <optional>

#include "base/ascii.h"
#include "base/utf8.h"
#include "mail/address.h"
#include "mail/decode.h"
#include "mail/header.h"
#include "sieve/address_part.h"
#include "sieve/date.h"
#include "sieve/match.h"
#include "sieve/vacation.h"
#include "sieve/variables.h"

namespace courriel::sieve {
namespace {

Error fail(int line, std::string_view msg) {
  return make_error(Errc::invalid, "line " + std::to_string(line) + ": " + std::string(msg));
}

std::string strip_brackets(std::string_view a) {
  while (!a.empty() && (a.front() == ' ' || a.front() == '\t')) a.remove_prefix(1);
  while (!a.empty() && (a.back() == ' ' || a.back() == '\t')) a.remove_suffix(1);
  if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
  return std::string(a);
}

// Flags (RFC 5232 §3): each string may hold several space-separated flags;
// duplicates (case-insensitive) are dropped.
void add_flags(std::vector<std::string>& to, const std::vector<std::string>& lists) {
  for (const std::string& l : lists) {
    size_t i = 0;
    while (i < l.size()) {
      while (i < l.size() && l[i] == ' ') ++i;
      size_t b = i;
      while (i < l.size() && l[i] != ' ') ++i;
      if (i == b) continue;
      std::string f = l.substr(b, i - b);
      bool dup = false;
      for (const std::string& x : to)
        if (ascii::iequals(x, f)) dup = true;
      if (!dup && to.size() < 256) to.push_back(std::move(f));
    }
  }
}

std::string join_flags(const std::vector<std::string>& f) {
  std::string out;
  for (const std::string& x : f) {
    if (!out.empty()) out += ' ';
    out += x;
  }
  return out;
}

class Interpreter {
 public:
  Interpreter(const Script& s, const Message& m, const Envelope& e, const Environment& c)
      : s_(s), msg_(m), env_(e), cfg_(c), fields_(mail::header_fields_of(m.raw)) {}

  Result<Actions> run() {
    if (auto st = block(s_.commands); !st) return st.error();
    return finish();
  }

 private:
  // ----- strings -----
  std::string str(const std::string& v) const { return s_.uses_variables ? expand(v, vars_) : v; }
  std::vector<std::string> strs(const Argument& a) const {
    std::vector<std::string> out;
    out.reserve(a.strings.size());
    for (const std::string& v : a.strings) out.push_back(str(v));
    return out;
  }

  const mail::ParsedMessage& parsed() {
    if (msg_.parsed) return *msg_.parsed;
    if (!own_parsed_) own_parsed_ = mail::parse_message(msg_.raw);
    return *own_parsed_;
  }

  // ----- commands -----
  Status block(const std::vector<Node>& cmds) {
    bool last_if_taken = false;  // the if/elsif chain before this command matched
    for (const Node& n : cmds) {
      if (stopped_) return {};
      const std::string& c = n.name;
      if (c == "require") continue;
      if (c == "if" || c == "elsif" || c == "else") {
        if (c != "if" && last_if_taken) continue;
        bool take = true;
        if (c != "else") {
          auto t = test(n.tests[0]);
          if (!t) return t.error();
          take = *t;
        }
        last_if_taken = take;
        if (take)
          if (auto st = block(n.block); !st) return st;
        continue;
      }
      last_if_taken = false;
      if (auto st = command(n); !st) return st;
    }
    return {};
  }

  Status count_action(const Node& n) {
    if (++action_count_ > cfg_.max_actions) return fail(n.line, "too many actions");
    return {};
  }

  std::vector<std::string> flags_for(const Node& n) {
    std::vector<std::string> f;
    if (const auto* t = n.tag("flags")) add_flags(f, strs(t->value));
    else if (s_.has("imap4flags")) f = internal_flags_;
    return f;
  }

  Status command(const Node& n) {
    const std::string& c = n.name;
    if (c == "stop") {
      stopped_ = true;
    } else if (c == "keep") {
      if (auto st = count_action(n); !st) return st;
      KeepAction k;
      k.flags = flags_for(n);
      add(std::move(k));
      explicit_delivery_ = true;
      cancel_implicit_ = true;
    } else if (c == "discard") {
      cancel_implicit_ = true;
    } else if (c == "fileinto") {
      if (auto st = count_action(n); !st) return st;
      FileintoAction f;
      f.mailbox = str(n.positional[0].strings[0]);
      if (f.mailbox.empty() || !valid_utf8(f.mailbox) || f.mailbox.find_first_of("\r\n") != std::string::npos)
        return fail(n.line, "bad mailbox name");
      f.flags = flags_for(n);
      f.copy = n.tag("copy") != nullptr;
      f.create = n.tag("create") != nullptr;
      if (!f.copy) cancel_implicit_ = true;
      explicit_delivery_ = true;
      add(std::move(f));
    } else if (c == "redirect") {
      if (auto st = count_action(n); !st) return st;
      RedirectAction r;
      r.address = strip_brackets(str(n.positional[0].strings[0]));
      if (!valid_redirect_address(r.address)) return fail(n.line, "bad redirect address");
      r.copy = n.tag("copy") != nullptr;
      if (!r.copy) cancel_implicit_ = true;
      bool dup = false;
      for (const Action& a : list_)
        if (auto* x = std::get_if<RedirectAction>(&a); x && ascii::iequals(x->address, r.address)) dup = true;
      if (!dup) {
        if (++redirects_ > cfg_.max_redirects) return fail(n.line, "too many redirects");
        list_.push_back(std::move(r));
      }
      has_redirect_ = true;
    } else if (c == "reject" || c == "ereject") {
      if (auto st = count_action(n); !st) return st;
      if (has_reject_) return fail(n.line, "more than one reject");
      has_reject_ = true;
      reject_line_ = n.line;
      RejectAction r;
      r.reason = str(n.positional[0].strings[0]);
      r.ereject = c == "ereject";
      cancel_implicit_ = true;
      list_.push_back(std::move(r));
    } else if (c == "vacation") {
      return vacation(n);
    } else if (c == "setflag" || c == "addflag" || c == "removeflag") {
      return flag_command(n);
    } else if (c == "set") {
      SetModifiers m;
      m.lower = n.tag("lower");
      m.upper = n.tag("upper");
      m.lowerfirst = n.tag("lowerfirst");
      m.upperfirst = n.tag("upperfirst");
      m.quotewildcard = n.tag("quotewildcard");
      m.length = n.tag("length");
      std::string v = apply_modifiers(str(n.positional[1].strings[0]), m);
      if (!vars_.set(n.positional[0].strings[0], std::move(v))) return fail(n.line, "too many variables");
    }
    return {};
  }

  Status flag_command(const Node& n) {
    std::vector<std::string> given;
    add_flags(given, strs(n.positional.back()));
    std::vector<std::string> current;
    std::vector<std::string>* target = &internal_flags_;
    std::string var;
    if (n.positional.size() == 2) {
      var = n.positional[0].strings[0];
      if (const std::string* v = vars_.get(var)) add_flags(current, {*v});
      target = &current;
    }
    if (n.name == "setflag") {
      *target = given;
    } else if (n.name == "addflag") {
      add_flags(*target, given);
    } else {
      std::vector<std::string> kept;
      for (const std::string& f : *target) {
        bool drop = false;
        for (const std::string& g : given)
          if (ascii::iequals(f, g)) drop = true;
        if (!drop) kept.push_back(f);
      }
      *target = std::move(kept);
    }
    if (!var.empty() && !vars_.set(var, join_flags(current))) return fail(n.line, "too many variables");
    return {};
  }

  Status vacation(const Node& n) {
    if (vacation_seen_) return fail(n.line, "more than one vacation");
    vacation_seen_ = true;
    vacation_line_ = n.line;
    VacationParams p;
    if (const auto* t = n.tag("days")) p.days = int64_t(t->value.number);
    if (const auto* t = n.tag("subject")) p.subject = str(t->value.strings[0]);
    if (const auto* t = n.tag("from")) p.from = str(t->value.strings[0]);
    if (const auto* t = n.tag("handle")) p.handle = str(t->value.strings[0]);
    if (const auto* t = n.tag("addresses")) p.addresses = strs(t->value);
    p.mime = n.tag("mime") != nullptr;
    p.reason = str(n.positional[0].strings[0]);
    if (vacation_refusal(p, fields_, env_, cfg_)) return {};
    if (auto st = count_action(n); !st) return st;
    list_.push_back(make_vacation_reply(p, fields_, env_, cfg_));
    return {};
  }

  // Adds a keep or fileinto, merging duplicates (RFC 5228 §2.10.3: keep and
  // fileinto "INBOX" are the same; the same mailbox is filed into once).
  void add(Action a) {
    auto target = [](const Action& x) -> std::optional<std::string> {
      if (std::holds_alternative<KeepAction>(x)) return std::string("INBOX");
      if (auto* f = std::get_if<FileintoAction>(&x))
        return ascii::iequals(f->mailbox, "INBOX") ? std::string("INBOX") : f->mailbox;
      return std::nullopt;
    };
    auto flags_of = [](Action& x) -> std::vector<std::string>& {
      if (auto* k = std::get_if<KeepAction>(&x)) return k->flags;
      return std::get<FileintoAction>(x).flags;
    };
    auto t = target(a);
    for (Action& x : list_) {
      if (target(x) == t) {
        add_flags(flags_of(x), flags_of(a));
        return;
      }
    }
    list_.push_back(std::move(a));
  }

  Result<Actions> finish() {
    if (has_reject_ && (explicit_delivery_ || has_redirect_ || vacation_action()))
      return fail(reject_line_, "reject cannot be combined with keep, fileinto, redirect or vacation");
    if (!cancel_implicit_) {
      KeepAction k;
      k.implicit = true;
      if (s_.has("imap4flags")) k.flags = internal_flags_;
      add(std::move(k));
    }
    Actions out;
    out.list = std::move(list_);
    return out;
  }

  bool vacation_action() const {
    for (const Action& a : list_)
      if (std::holds_alternative<VacationAction>(a)) return true;
    return false;
  }

  // ----- tests -----
  MatchSpec match_spec(const Node& n) const {
    MatchSpec m;
    if (const auto* t = n.tag("comparator")) m.cmp = parse_comparator(t->value.strings[0]).value_or(Comparator::casemap);
    if (n.tag("contains")) m.kind = MatchKind::contains;
    if (n.tag("matches")) m.kind = MatchKind::matches;
    if (n.tag("regex")) m.kind = MatchKind::regex;
    if (const auto* t = n.tag("count")) {
      m.kind = MatchKind::count;
      m.rel = parse_relation(str(t->value.strings[0])).value_or(Relation::eq);
    }
    if (const auto* t = n.tag("value")) {
      m.kind = MatchKind::value;
      m.rel = parse_relation(str(t->value.strings[0])).value_or(Relation::eq);
    }
    return m;
  }

  // The core of every string test: does any value match any key?
  bool match(const Node& n, const std::vector<std::string>& values, const Argument& keys_arg) {
    MatchSpec m = match_spec(n);
    std::vector<std::string> keys = strs(keys_arg);
    if (m.kind == MatchKind::count) {
      std::string count = std::to_string(values.size());
      for (const std::string& k : keys)
        if (relation_holds(m.rel, compare(m.cmp, count, k))) return true;
      return false;
    }
    bool want_captures = s_.uses_variables && (m.kind == MatchKind::matches || m.kind == MatchKind::regex);
    std::vector<std::string> caps;
    for (const std::string& v : values) {
      for (const std::string& k : keys) {
        if (match_value(m, v, k, want_captures ? &caps : nullptr)) {
          if (want_captures) {
            if (caps.size() > 10) caps.resize(10);
            vars_.match = std::move(caps);
          }
          return true;
        }
      }
    }
    return false;
  }

  // Raw values of the fields named `name`, honouring :index/:last
  // (RFC 5260 §4.1: 1 = first, or last with :last).
  std::vector<std::string_view> field_values(const Node& n, std::string_view name) const {
    std::vector<std::string_view> all;
    for (const mail::HeaderField& f : fields_)
      if (ascii::iequals(f.name, name)) all.push_back(f.value);
    const auto* idx = n.tag("index");
    if (!idx) return all;
    uint64_t i = idx->value.number;
    if (i == 0 || i > all.size()) return {};
    return {n.tag("last") ? all[all.size() - i] : all[i - 1]};
  }

  std::vector<std::string> addresses(const Node& n, AddressPart part) {
    std::vector<std::string> out;
    for (const std::string& h : strs(n.positional[0])) {
      for (std::string_view v : field_values(n, h)) {
        for (const mail::Address& a : mail::parse_addresses(v)) {
          if (!a.mailbox || !a.host) continue;  // group markers
          std::string full = *a.host == "MISSING_DOMAIN" || a.host->empty() ? *a.mailbox : *a.mailbox + "@" + *a.host;
          if (auto p = address_part(full, part)) out.push_back(std::move(*p));
        }
      }
    }
    return out;
  }

  static AddressPart address_part_of(const Node& n) {
    if (n.tag("localpart")) return AddressPart::localpart;
    if (n.tag("domain")) return AddressPart::domain;
    if (n.tag("user")) return AddressPart::user;
    if (n.tag("detail")) return AddressPart::detail;
    return AddressPart::all;
  }

  Result<bool> test(const Node& n) {
    const std::string& t = n.name;
    if (t == "true") return true;
    if (t == "false") return false;
    if (t == "not") {
      auto r = test(n.tests[0]);
      if (!r) return r;
      return !*r;
    }
    if (t == "allof" || t == "anyof") {
      bool all = t == "allof";
      for (const Node& x : n.tests) {
        auto r = test(x);
        if (!r) return r;
        if (*r != all) return !all;  // short-circuit (RFC 5228 §5.1, §5.3)
      }
      return all;
    }
    if (t == "size") {
      uint64_t size = msg_.raw.size();
      if (const auto* o = n.tag("over")) return size > o->value.number;
      return size < n.tag("under")->value.number;
    }
    if (t == "exists") {
      for (const std::string& h : strs(n.positional[0])) {
        bool found = false;
        for (const mail::HeaderField& f : fields_)
          if (ascii::iequals(f.name, h)) found = true;
        if (!found) return false;
      }
      return true;
    }
    if (t == "header") {
      std::vector<std::string> values;
      for (const std::string& h : strs(n.positional[0]))
        for (std::string_view v : field_values(n, h)) values.push_back(mail::decode_header_text(mail::unfold(v)));
      return match(n, values, n.positional[1]);
    }
    if (t == "address") return match(n, addresses(n, address_part_of(n)), n.positional[1]);
    if (t == "envelope") {
      std::vector<std::string> values;
      AddressPart part = address_part_of(n);
      for (const std::string& p : strs(n.positional[0])) {
        std::string a;
        if (ascii::iequals(p, "from")) a = strip_brackets(env_.from);
        else if (ascii::iequals(p, "to")) a = strip_brackets(env_.to);
        else continue;
        // RFC 5228 §5.4: the null reverse-path matches only "" with :all.
        if (a.empty() && part != AddressPart::all) continue;
        if (auto v = address_part(a, part)) values.push_back(std::move(*v));
      }
      return match(n, values, n.positional[1]);
    }
    if (t == "body") return match(n, body_values(n), n.positional[0]);
    if (t == "date" || t == "currentdate") return date_test(n);
    if (t == "mailboxexists") {
      for (const std::string& m : strs(n.positional[0]))
        if (!cfg_.mailbox_exists || !cfg_.mailbox_exists(m)) return false;
      return true;
    }
    if (t == "hasflag") {
      std::vector<std::string> flags;
      if (n.positional.size() == 2) {
        for (const std::string& v : n.positional[0].strings)
          if (const std::string* x = vars_.get(v)) add_flags(flags, {*x});
      } else {
        flags = internal_flags_;
      }
      return match(n, flags, n.positional.back());
    }
    if (t == "string") {
      std::vector<std::string> values = strs(n.positional[0]);
      // RFC 5229 §5: with :count, empty strings are not counted.
      if (n.tag("count")) std::erase(values, std::string());
      return match(n, values, n.positional[1]);
    }
    return fail(n.line, "unknown test " + t);
  }

  std::vector<std::string> body_values(const Node& n) {
    const mail::ParsedMessage& pm = parsed();
    std::vector<std::string> out;
    if (n.tag("raw")) {
      uint64_t off = std::min<uint64_t>(pm.body.body_offset, msg_.raw.size());
      out.emplace_back(msg_.raw.substr(off));
      return out;
    }
    if (const auto* c = n.tag("content")) {
      std::vector<std::string> types = strs(c->value);
      collect_parts(pm.body, types, out, 0);
      return out;
    }
    out.push_back(mail::text_for_search(msg_.raw, pm.body));
    return out;
  }

  // RFC 5173 §5.2: the decoded content of every leaf whose type matches one
  // of `types` ("" any, "text" any subtype, "text/html" exactly).
  void collect_parts(const mail::BodyPart& p, const std::vector<std::string>& types,
                     std::vector<std::string>& out, int depth) {
    if (depth > mail::kMaxDepth * 2 + 4 || out.size() > 1000) return;
    if (!p.children.empty()) {
      for (const mail::BodyPart& c : p.children) collect_parts(c, types, out, depth + 1);
      return;
    }
    bool want = false;
    for (const std::string& t : types) {
      size_t slash = t.find('/');
      if (t.empty()) want = true;
      else if (slash == std::string::npos) want = want || ascii::iequals(t, p.type);
      else want = want || (ascii::iequals(t.substr(0, slash), p.type) && ascii::iequals(t.substr(slash + 1), p.subtype));
    }
    if (!want) return;
    uint64_t off = std::min<uint64_t>(p.body_offset, msg_.raw.size());
    std::string_view raw = msg_.raw.substr(off, p.body_size);
    auto decoded = mail::decode_transfer_encoding(raw, p.encoding);
    std::string bytes = decoded ? std::move(*decoded) : std::string(raw);
    if (ascii::iequals(p.type, "text")) {
      const std::string* cs = p.param("charset");
      if (auto u = mail::to_utf8(bytes, cs ? *cs : "us-ascii")) bytes = std::move(*u);
      else bytes = mail::sanitize_utf8(bytes);
    }
    out.push_back(std::move(bytes));
  }

  Result<bool> date_test(const Node& n) {
    bool current = n.name == "currentdate";
    const Argument& part_arg = n.positional[current ? 0 : 1];
    std::string part = str(part_arg.strings[0]);
    if (!is_date_part(part)) return fail(part_arg.line, "unknown date part");
    std::optional<int> zone;
    if (const auto* z = n.tag("zone")) {
      zone = parse_zone(str(z->value.strings[0]));
      if (!zone) return fail(z->value.line, "bad zone");
    }
    std::vector<std::string> values;
    if (current) {
      values.push_back(date_part(cfg_.now, zone.value_or(cfg_.zone_offset_minutes), part));
    } else {
      std::string h = str(n.positional[0].strings[0]);
      for (std::string_view v : field_values(n, h)) {
        std::string text = mail::unfold(v);
        // RFC 5260 §2.2: for fields like Received, the date follows the last ';'.
        if (size_t semi = text.rfind(';'); semi != std::string::npos) text = text.substr(semi + 1);
        auto dt = parse_date_time(text);
        if (!dt) continue;
        int off = n.tag("originalzone") ? dt->offset_minutes : zone.value_or(cfg_.zone_offset_minutes);
        values.push_back(date_part(dt->epoch, off, part));
        if (!n.tag("index")) break;  // the first occurrence (RFC 5260 §2.2)
      }
    }
    return match(n, values, n.positional.back());
  }

  const Script& s_;
  const Message& msg_;
  const Envelope& env_;
  const Environment& cfg_;
  std::vector<mail::HeaderField> fields_;
  std::optional<mail::ParsedMessage> own_parsed_;
  Variables vars_;
  std::vector<std::string> internal_flags_;
  std::vector<Action> list_;
  bool cancel_implicit_ = false, stopped_ = false, explicit_delivery_ = false;
  bool has_reject_ = false, has_redirect_ = false, vacation_seen_ = false;
  int reject_line_ = 0, vacation_line_ = 0;
  int action_count_ = 0, redirects_ = 0;
};

}  // namespace

Result<Actions> run(const Script& script, const Message& msg, const Envelope& env,
                    const Environment& cfg) {
  return Interpreter(script, msg, env, cfg).run();
}

}  // namespace courriel::sieve
