#include "imap/message_format.h"

#include "base/ascii.h"
#include "imap/parser/response_syntax.h"
#include "mail/header_section.h"

namespace courriel::imap {
namespace {

void append_opt(std::string& out, const std::optional<std::string>& s, bool utf8) {
  append_nstring(out, s ? std::optional<std::string_view>(*s) : std::nullopt, utf8);
}

void append_addresses(std::string& out, const std::vector<mail::Address>& list, bool utf8) {
  if (list.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (const auto& a : list) {
    out += '(';
    append_opt(out, a.name, utf8);
    out += ' ';
    append_opt(out, a.adl, utf8);
    out += ' ';
    append_opt(out, a.mailbox, utf8);
    out += ' ';
    append_opt(out, a.host, utf8);
    out += ')';
  }
  out += ')';
}

// body-fld-param: ("name" "value" ...) or NIL.
void append_params(std::string& out, const std::vector<mail::Param>& params, bool utf8) {
  if (params.empty()) {
    out += "NIL";
    return;
  }
  out += '(';
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) out += ' ';
    append_string(out, params[i].name, utf8);
    out += ' ';
    append_string(out, params[i].value, utf8);
  }
  out += ')';
}

// body-ext-1part / body-ext-mpart after the MD5 or the params: disposition,
// language, location (RFC 3501 §9 body-fld-dsp, body-fld-lang, body-fld-loc).
void append_disposition_language_location(std::string& out, const mail::BodyPart& part,
                                          bool utf8) {
  out += ' ';
  if (part.disposition) {
    out += '(';
    append_string(out, *part.disposition, utf8);
    out += ' ';
    append_params(out, part.disposition_params, utf8);
    out += ')';
  } else {
    out += "NIL";
  }
  out += ' ';
  if (part.language.empty()) {
    out += "NIL";
  } else if (part.language.size() == 1) {
    append_string(out, part.language[0], utf8);
  } else {
    out += '(';
    for (size_t i = 0; i < part.language.size(); ++i) {
      if (i) out += ' ';
      append_string(out, part.language[i], utf8);
    }
    out += ')';
  }
  out += ' ';
  append_opt(out, part.location, utf8);
}

}  // namespace

void append_envelope(std::string& out, const mail::Envelope& e, bool utf8) {
  out += '(';
  append_opt(out, e.date, utf8);
  out += ' ';
  append_opt(out, e.subject, utf8);
  for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
    out += ' ';
    append_addresses(out, *list, utf8);
  }
  out += ' ';
  append_opt(out, e.in_reply_to, utf8);
  out += ' ';
  append_opt(out, e.message_id, utf8);
  out += ')';
}

void append_body_structure(std::string& out, const mail::BodyPart& part, bool extensible,
                           bool utf8) {
  out += '(';
  if (part.is_multipart()) {
    // body-type-mpart: 1*body SP media-subtype [SP body-ext-mpart]
    for (const auto& child : part.children) append_body_structure(out, child, extensible, utf8);
    out += ' ';
    append_string(out, part.subtype, utf8);
    if (extensible) {
      out += ' ';
      append_params(out, part.params, utf8);
      append_disposition_language_location(out, part, utf8);
    }
    out += ')';
    return;
  }
  // body-type-1part: type subtype params id description encoding size ...
  append_string(out, part.type, utf8);
  out += ' ';
  append_string(out, part.subtype, utf8);
  out += ' ';
  append_params(out, part.params, utf8);
  out += ' ';
  append_opt(out, part.id, utf8);
  out += ' ';
  append_opt(out, part.description, utf8);
  out += ' ';
  append_string(out, part.encoding, utf8);
  out += ' ' + std::to_string(part.size);
  if (part.is_message()) {
    // body-type-msg: envelope SP body SP body-fld-lines
    out += ' ';
    append_envelope(out, *part.envelope, utf8);
    out += ' ';
    append_body_structure(out, part.children[0], extensible, utf8);
    out += ' ' + std::to_string(part.lines);
  } else if (ascii::iequals(part.type, "text")) {
    out += ' ' + std::to_string(part.lines);
  }
  if (extensible) {
    out += ' ';
    append_opt(out, part.md5, utf8);
    append_disposition_language_location(out, part, utf8);
  }
  out += ')';
}

const std::vector<std::string>& cached_header_fields() {
  static const std::vector<std::string> kFields = {
      "From",       "To",       "Cc",         "Bcc",          "Subject",     "Date",        "Message-ID",
      "Priority",   "X-Priority", "References", "Newsgroups", "In-Reply-To", "Content-Type", "Reply-To",
      "Sender"};
  return kFields;
}

bool in_cached_header_fields(const std::vector<std::string>& names) {
  for (const auto& n : names) {
    bool found = false;
    for (const auto& f : cached_header_fields()) found = found || ascii::iequals(f, n);
    if (!found) return false;
  }
  return true;
}

std::vector<mail::CacheExtra> cache_extras(const mail::ParsedMessage& parsed, std::string_view header) {
  std::vector<mail::CacheExtra> out(4);
  out[3].tag = kCachedHeaderFields;
  out[3].text = mail::header_fields(header, cached_header_fields(), false);
  out[0].tag = kCachedEnvelope;
  append_envelope(out[0].text, parsed.envelope, false);
  out[1].tag = kCachedBodyStructure;
  append_body_structure(out[1].text, parsed.body, true, false);
  out[2].tag = kCachedBody;
  append_body_structure(out[2].text, parsed.body, false, false);
  return out;
}

}  // namespace courriel::imap
