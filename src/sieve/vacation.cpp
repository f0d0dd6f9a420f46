#include "sieve/vacation.h"

#include <cstdio>

#include "base/ascii.h"
#include "base/base64.h"
#include "mail/address.h"
#include "sieve/date.h"

namespace courriel::sieve {
namespace {

std::string lower_address(std::string_view a) {
  std::string s = ascii::lower(a);
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
  return s;
}

std::vector<std::string> addresses_in(const std::vector<mail::HeaderField>& fields,
                                      std::string_view name) {
  std::vector<std::string> out;
  for (const mail::HeaderField& f : fields) {
    if (!ascii::iequals(f.name, name)) continue;
    for (const mail::Address& a : mail::parse_addresses(f.value)) {
      if (!a.host || !a.mailbox) continue;
      out.push_back(ascii::lower(*a.mailbox + "@" + *a.host));
    }
  }
  return out;
}

// Header values must not carry line breaks a script put there.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// RFC 2047 encoded word(s) for non-ASCII text.
std::string encode_header(std::string_view s) {
  if (is_ascii(s)) return std::string(s);
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t n = std::min<size_t>(45, s.size() - i);
    // Do not split a UTF-8 sequence.
    while (i + n < s.size() && n > 1 && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) --n;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64::encode(s.substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

std::string crlf(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
    out += s[i];
  }
  if (out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  else if (out.size() < 2) out += "\r\n";
  return out;
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<std::string> field(const std::vector<mail::HeaderField>& fields, std::string_view name) {
  return mail::header_value(fields, name);
}

std::vector<std::string> own_addresses(const VacationParams& p, const Envelope& env, const Environment& cfg) {
  std::vector<std::string> own;
  for (const std::string& a : cfg.user_addresses) own.push_back(lower_address(a));
  for (const std::string& a : p.addresses) own.push_back(lower_address(a));
  if (!env.to.empty()) own.push_back(lower_address(env.to));
  if (!env.original_to.empty()) own.push_back(lower_address(env.original_to));
  return own;
}

}  // namespace

std::string vacation_key(const VacationParams& p, const Envelope& env) {
  std::string handle = p.handle ? *p.handle
                                : p.reason + "\n" + p.subject.value_or("") + "\n" + p.from.value_or("") +
                                      (p.mime ? "\nmime" : "");
  return lower_address(env.from) + " " + hex(fnv1a(handle));
}

std::optional<std::string> vacation_refusal(const VacationParams& p,
                                            const std::vector<mail::HeaderField>& fields,
                                            const Envelope& env, const Environment& cfg) {
  std::string sender = lower_address(env.from);
  if (sender.empty()) return "null sender";
  size_t at = sender.rfind('@');
  std::string local = at == std::string::npos ? sender : sender.substr(0, at);
  if (local == "mailer-daemon" || local == "listserv" || local == "majordomo" || local == "postmaster" ||
      ascii::istarts_with(local, "owner-") ||
      (local.size() >= 8 && local.compare(local.size() - 8, 8, "-request") == 0))
    return "sender is a robot or a list";
  for (const char* h : {"List-Id", "List-Post", "List-Unsubscribe", "List-Help", "List-Owner"})
    if (field(fields, h)) return std::string("message has ") + h;
  if (auto prec = field(fields, "Precedence")) {
    std::string v = ascii::lower(*prec);
    if (v == "bulk" || v == "list" || v == "junk") return "Precedence: " + v;
  }
  if (auto as = field(fields, "Auto-Submitted")) {
    std::string v = ascii::lower(*as);
    size_t semi = v.find_first_of("; (\t");
    if (v.substr(0, semi) != "no") return "Auto-Submitted: " + v;
  }
  std::vector<std::string> own = own_addresses(p, env, cfg);
  for (const std::string& o : own)
    if (o == sender) return "sent by the user";
  bool addressed = false;
  for (const char* h : {"To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"})
    for (const std::string& a : addresses_in(fields, h))
      for (const std::string& o : own)
        if (a == o) addressed = true;
  if (!addressed) return "user not among the recipients";
  if (cfg.vacation_seen_recently && cfg.vacation_seen_recently(vacation_key(p, env), p.days))
    return "already answered";
  return std::nullopt;
}

VacationAction make_vacation_reply(const VacationParams& p,
                                   const std::vector<mail::HeaderField>& fields,
                                   const Envelope& env, const Environment& cfg) {
  VacationAction v;
  v.to = env.from;
  if (v.to.size() >= 2 && v.to.front() == '<' && v.to.back() == '>') v.to = v.to.substr(1, v.to.size() - 2);
  v.days = p.days;
  v.key = vacation_key(p, env);

  // From: :from, else the configured address, else the recipient address the
  // message was sent to (RFC 5230 §4.4, §5.3).
  if (p.from && !p.from->empty()) {
    v.from = one_line(*p.from);
  } else if (!cfg.vacation_from_address.empty()) {
    v.from = one_line(cfg.vacation_from_address);
  } else {
    v.from = one_line(env.to);
  }

  std::string original_subject = one_line(field(fields, "Subject").value_or(""));
  std::string subject = p.subject ? one_line(*p.subject) : "Auto: " + original_subject;
  v.subject = encode_header(subject);

  std::string m;
  m += "From: " + (is_ascii(v.from) ? v.from : encode_header(v.from)) + "\r\n";
  m += "To: " + one_line(v.to) + "\r\n";
  m += "Subject: " + v.subject + "\r\n";
  m += "Date: " + date_part(cfg.now, 0, "std11") + "\r\n";
  std::string domain = "localhost";
  if (size_t at = v.from.rfind('@'); at != std::string::npos) {
    std::string d = v.from.substr(at + 1);
    while (!d.empty() && (d.back() == '>' || d.back() == ' ')) d.pop_back();
    bool ok = !d.empty();
    for (char c : d)
      if (!(ascii::is_alpha(c) || ascii::is_digit(c) || c == '.' || c == '-')) ok = false;
    if (ok) domain = d;
  }
  m += "Message-ID: <vacation." + hex(fnv1a(v.key + std::to_string(cfg.now))) + "." +
       std::to_string(cfg.now) + "@" + domain + ">\r\n";
  if (auto id = field(fields, "Message-ID")) {
    std::string msgid = one_line(*id);
    m += "In-Reply-To: " + msgid + "\r\n";
    std::string refs = one_line(field(fields, "References").value_or(""));
    m += "References: " + (refs.empty() ? msgid : refs + " " + msgid) + "\r\n";
  }
  m += "Auto-Submitted: auto-replied (vacation)\r\n";
  m += "MIME-Version: 1.0\r\n";
  if (p.mime) {
    // The reason is a MIME entity: its own header fields, an empty line, the
    // body (RFC 5230 §4.7).
    std::string entity = crlf(p.reason);
    if (entity.rfind("\r\n", 0) == 0) m += "Content-Type: text/plain; charset=utf-8\r\n";
    m += entity;
  } else {
    m += "Content-Type: text/plain; charset=utf-8\r\n";
    m += std::string("Content-Transfer-Encoding: ") + (is_ascii(p.reason) ? "7bit" : "8bit") + "\r\n";
    m += "\r\n";
    m += crlf(p.reason);
  }
  v.message = std::move(m);
  return v;
}

}  // namespace courriel::sieve
