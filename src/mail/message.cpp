#include "mail/message.h"

#include <algorithm>
#include <map>

#include "base/ascii.h"
#include "mail/address.h"
#include "mail/decode.h"
#include "mail/header.h"
#include "mail/header_section.h"

namespace courriel::mail {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `s` without RFC 822 comments (quoted strings are respected).
std::string strip_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      out.push_back(c);
      if (c == '\\' && i + 1 < s.size()) out.push_back(s[++i]);
      else if (c == '"') quoted = false;
    } else if (depth > 0) {
      if (c == '\\') ++i;
      else if (c == '(') ++depth;
      else if (c == ')') --depth;
    } else if (c == '(') {
      depth = 1;
      out.push_back(' ');
    } else {
      if (c == '"') quoted = true;
      out.push_back(c);
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";

bool token_char(char c) {
  auto b = static_cast<unsigned char>(c);
  return b > 32 && b != 127 && kTspecials.find(c) == std::string_view::npos;
}

struct RawParam {
  std::string name, value;
};

// Parameters after the first ';' of `s` (comments already stripped).
std::vector<RawParam> raw_params(std::string_view s) {
  std::vector<RawParam> out;
  size_t i = s.find(';');
  while (i != std::string_view::npos && i < s.size()) {
    ++i;  // past ';'
    size_t eq = i;
    while (eq < s.size() && s[eq] != '=' && s[eq] != ';') ++eq;
    if (eq >= s.size() || s[eq] == ';') {
      i = eq < s.size() ? eq : std::string_view::npos;
      continue;
    }
    std::string_view name = trim(s.substr(i, eq - i));
    size_t v = eq + 1;
    while (v < s.size() && is_ws(s[v])) ++v;
    std::string value;
    if (v < s.size() && s[v] == '"') {
      ++v;
      while (v < s.size() && s[v] != '"') {
        if (s[v] == '\\' && v + 1 < s.size()) ++v;
        value.push_back(s[v++]);
      }
      size_t semi = s.find(';', v);
      i = semi;
    } else {
      size_t semi = s.find(';', v);
      std::string_view raw = s.substr(v, semi == std::string_view::npos ? s.size() - v : semi - v);
      value = std::string(trim(raw));
      i = semi;
    }
    if (!name.empty()) out.push_back(RawParam{std::string(name), std::move(value)});
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(char(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// RFC 2231: merge "name*N[*]" sections and decode "name*" / "name*0*" values
// (charset'language'percent-encoded) to UTF-8. Each merged parameter takes
// the place of its first piece; for a duplicate name the first wins, except
// that an RFC 2231 value replaces a plain one (it is the precise form).
std::vector<Param> merge_params(const std::vector<RawParam>& raw) {
  struct Pieces {
    std::string name;
    std::optional<std::string> plain;
    std::map<uint64_t, std::pair<std::string, bool>> sections;  // n -> value, encoded
  };
  std::vector<Pieces> all;
  std::map<std::string, size_t> index;  // lower-cased base name -> position in all
  for (const auto& r : raw) {
    size_t star = r.name.find('*');
    std::string base = r.name.substr(0, star);
    auto [slot, added] = index.emplace(ascii::lower(base), all.size());
    if (added) all.push_back(Pieces{base, std::nullopt, {}});
    Pieces* it = &all[slot->second];
    if (star == std::string::npos) {
      if (!it->plain) it->plain = r.value;
      continue;
    }
    std::string_view rest = std::string_view(r.name).substr(star + 1);
    if (rest.empty()) {  // name*=charset'lang'value
      it->sections.emplace(0, std::make_pair(r.value, true));
      continue;
    }
    bool encoded = rest.ends_with("*");
    if (encoded) rest.remove_suffix(1);
    auto n = ascii::parse_u64(rest, 100000);
    if (!n) continue;
    it->sections.emplace(*n, std::make_pair(r.value, encoded));
  }
  std::vector<Param> out;
  for (auto& p : all) {
    if (p.sections.empty()) {
      out.push_back(Param{p.name, p.plain.value_or("")});
      continue;
    }
    std::string charset;
    std::string bytes;
    bool any_encoded = false;
    bool first = true;
    for (auto& [n, piece] : p.sections) {
      std::string_view v = piece.first;
      if (piece.second) {
        if (first && n == 0) {
          size_t q1 = v.find('\'');
          size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
          if (q2 != std::string_view::npos) {
            charset = std::string(v.substr(0, q1));
            v = v.substr(q2 + 1);
          }
        }
        bytes += percent_decode(v);
        any_encoded = true;
      } else {
        bytes += v;
      }
      first = false;
    }
    std::string value;
    if (any_encoded) {
      auto text = charset.empty() ? std::nullopt : to_utf8(bytes, charset);
      value = text ? std::move(*text) : sanitize_utf8(bytes);
    } else {
      value = std::move(bytes);
    }
    out.push_back(Param{p.name, std::move(value)});
  }
  return out;
}

struct ContentType {
  std::string type, subtype;
  std::vector<Param> params;
  bool valid = false;
};

ContentType parse_content_type(std::string_view value) {
  ContentType ct;
  std::string s = strip_comments(unfold(value));
  std::string_view v = s;
  size_t i = 0;
  while (i < v.size() && is_ws(v[i])) ++i;
  size_t t = i;
  while (i < v.size() && token_char(v[i])) ++i;
  ct.type = std::string(v.substr(t, i - t));
  while (i < v.size() && is_ws(v[i])) ++i;
  if (i < v.size() && v[i] == '/') {
    ++i;
    while (i < v.size() && is_ws(v[i])) ++i;
    size_t st = i;
    while (i < v.size() && token_char(v[i])) ++i;
    ct.subtype = std::string(v.substr(st, i - st));
  }
  while (i < v.size() && is_ws(v[i])) ++i;
  ct.valid = !ct.type.empty() && !ct.subtype.empty() && (i == v.size() || v[i] == ';');
  ct.params = merge_params(raw_params(v.substr(i)));
  return ct;
}

bool identity_encoding(std::string_view e) {
  return e.empty() || ascii::iequals(e, "7bit") || ascii::iequals(e, "8bit") ||
         ascii::iequals(e, "binary");
}

uint64_t count_lines(std::string_view body) {
  uint64_t n = static_cast<uint64_t>(std::count(body.begin(), body.end(), '\n'));
  if (!body.empty() && body.back() != '\n') ++n;
  return n;
}

const HeaderField* first_field(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const auto& f : fields)
    if (ascii::iequals(f.name, name)) return &f;
  return nullptr;
}

void make_text_plain(BodyPart& p) {
  p.type = "text";
  p.subtype = "plain";
  p.params = {Param{"charset", "us-ascii"}};
}

void make_opaque(BodyPart& p) {
  p.type = "application";
  p.subtype = "octet-stream";
  p.params.clear();
  p.children.clear();
  p.envelope.reset();
}

// The parts of a multipart body [begin, end): each [start, end) of a part.
std::vector<std::pair<size_t, size_t>> split_parts(std::string_view m, size_t begin, size_t end,
                                                   std::string_view boundary) {
  std::vector<std::pair<size_t, size_t>> parts;
  std::optional<size_t> part_start;
  bool closed = false;
  size_t pos = begin;
  while (pos < end) {
    size_t eol = m.find('\n', pos);
    if (eol == std::string_view::npos || eol >= end) eol = end;
    size_t next = eol < end ? eol + 1 : end;
    std::string_view line = m.substr(pos, eol - pos);
    if (line.size() >= 2 + boundary.size() && line[0] == '-' && line[1] == '-' &&
        line.substr(2, boundary.size()) == boundary) {
      std::string_view rest = line.substr(2 + boundary.size());
      bool close = rest.starts_with("--");
      if (close) rest.remove_prefix(2);
      if (trim(rest).empty()) {
        if (part_start) {
          size_t pe = pos;
          if (pe > *part_start && m[pe - 1] == '\n') {
            --pe;
            if (pe > *part_start && m[pe - 1] == '\r') --pe;
          }
          parts.emplace_back(*part_start, pe);
        }
        if (close) {
          closed = true;
          break;
        }
        part_start = next;
      }
    }
    pos = next;
  }
  if (part_start && !closed) parts.emplace_back(*part_start, end);
  return parts;
}

void parse_entity(std::string_view m, size_t start, size_t end, int depth, bool digest,
                  BodyPart& p) {
  std::string_view region = m.substr(start, end - start);
  size_t hlen = body_offset(region).value_or(region.size());
  p.header_offset = start;
  p.header_size = hlen;
  p.body_offset = start + hlen;
  p.body_size = end - p.body_offset;
  p.size = p.body_size;
  auto fields = header_fields_of(region.substr(0, hlen));

  if (const HeaderField* f = first_field(fields, "Content-Type")) {
    ContentType ct = parse_content_type(f->value);
    if (ct.valid) {
      p.type = std::move(ct.type);
      p.subtype = std::move(ct.subtype);
      p.params = std::move(ct.params);
    } else {
      p.type = "text";
      p.subtype = "plain";
      p.params = std::move(ct.params);
      if (!p.param("charset")) p.params.insert(p.params.begin(), Param{"charset", "us-ascii"});
    }
  } else if (digest) {
    p.type = "message";
    p.subtype = "rfc822";
  } else {
    make_text_plain(p);
  }
  if (auto v = header_value(fields, "Content-Transfer-Encoding")) {
    std::string e = strip_comments(*v);
    std::string_view t = trim(e);
    size_t sp = t.find_first_of(" \t");
    t = t.substr(0, sp);
    p.encoding = t.empty() ? "7BIT" : std::string(t);
  }
  p.id = header_value(fields, "Content-ID");
  p.description = header_value(fields, "Content-Description");
  p.md5 = header_value(fields, "Content-MD5");
  if (auto v = header_value(fields, "Content-Location")) {
    std::string loc;
    for (char c : *v)
      if (!is_ws(c)) loc.push_back(c);
    p.location = std::move(loc);
  }
  if (auto v = header_value(fields, "Content-Language")) {
    std::string s = strip_comments(*v);
    std::string cur;
    for (char c : s) {
      if (c == ',' || is_ws(c)) {
        if (!cur.empty()) p.language.push_back(std::move(cur));
        cur.clear();
      } else {
        cur.push_back(c);
      }
    }
    if (!cur.empty()) p.language.push_back(std::move(cur));
  }
  if (const HeaderField* f = first_field(fields, "Content-Disposition")) {
    std::string s = strip_comments(unfold(f->value));
    std::string_view v = s;
    size_t i = 0;
    while (i < v.size() && is_ws(v[i])) ++i;
    size_t t = i;
    while (i < v.size() && token_char(v[i])) ++i;
    if (i > t) {
      p.disposition = std::string(v.substr(t, i - t));
      p.disposition_params = merge_params(raw_params(v.substr(i)));
    }
  }

  if (ascii::iequals(p.type, "multipart")) {
    const std::string* boundary = p.param("boundary");
    if (depth >= kMaxDepth) {
      make_opaque(p);
    } else if (!boundary || boundary->empty()) {
      make_text_plain(p);
    } else {
      auto ranges = split_parts(m, p.body_offset, end, *boundary);
      if (ranges.empty()) {
        make_text_plain(p);
      } else {
        bool is_digest = ascii::iequals(p.subtype, "digest");
        p.children.resize(ranges.size());
        for (size_t i = 0; i < ranges.size(); ++i)
          parse_entity(m, ranges[i].first, ranges[i].second, depth + 1, is_digest, p.children[i]);
      }
    }
  } else if (ascii::iequals(p.type, "message") &&
             (ascii::iequals(p.subtype, "rfc822") || ascii::iequals(p.subtype, "global"))) {
    if (depth >= kMaxDepth || !identity_encoding(p.encoding)) {
      make_opaque(p);
    } else {
      p.children.resize(1);
      BodyPart& inner = p.children[0];
      parse_entity(m, p.body_offset, end, depth + 1, false, inner);
      p.envelope = parse_envelope(m.substr(inner.header_offset, inner.header_size));
    }
  }
  if (has_lines(p)) p.lines = count_lines(m.substr(p.body_offset, p.body_size));
}

}  // namespace

const std::string* BodyPart::param(std::string_view name) const {
  for (const auto& p : params)
    if (ascii::iequals(p.name, name)) return &p.value;
  return nullptr;
}

bool has_lines(const BodyPart& p) {
  return ascii::iequals(p.type, "text") || p.is_message();
}

Envelope parse_envelope(std::string_view header) {
  size_t hlen = body_offset(header).value_or(header.size());
  auto fields = header_fields_of(header.substr(0, hlen));
  Envelope e;
  e.date = header_value(fields, "Date");
  e.subject = header_value(fields, "Subject");
  auto addresses = [&](std::string_view name) {
    const HeaderField* f = first_field(fields, name);
    return f ? parse_addresses(f->value) : std::vector<Address>{};
  };
  e.from = addresses("From");
  e.sender = addresses("Sender");
  if (e.sender.empty()) e.sender = e.from;
  e.reply_to = addresses("Reply-To");
  if (e.reply_to.empty()) e.reply_to = e.from;
  e.to = addresses("To");
  e.cc = addresses("Cc");
  e.bcc = addresses("Bcc");
  e.in_reply_to = header_value(fields, "In-Reply-To");
  e.message_id = header_value(fields, "Message-ID");
  if (e.message_id) {
    const std::string& v = *e.message_id;
    size_t lt = v.find('<');
    size_t gt = lt == std::string::npos ? lt : v.find('>', lt);
    if (gt != std::string::npos) e.message_id = v.substr(lt, gt - lt + 1);
  }
  return e;
}

ParsedMessage parse_message(std::string_view bytes) {
  ParsedMessage pm;
  parse_entity(bytes, 0, bytes.size(), 0, false, pm.body);
  pm.envelope = parse_envelope(bytes.substr(0, pm.body.header_size));
  return pm;
}

const BodyPart* find_part(const BodyPart& root, std::span<const uint32_t> path) {
  const BodyPart* cur = &root;
  bool at_message = true;  // `cur` is the body of a message
  for (uint32_t n : path) {
    if (!at_message && cur->is_message()) {
      cur = &cur->children[0];
      at_message = true;
    }
    if (cur->is_multipart()) {
      if (n < 1 || n > cur->children.size()) return nullptr;
      cur = &cur->children[n - 1];
      at_message = false;
    } else if (at_message && n == 1) {
      at_message = false;
    } else {
      return nullptr;
    }
  }
  return cur;
}

}  // namespace courriel::mail
