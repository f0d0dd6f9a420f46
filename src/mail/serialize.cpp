#include "mail/serialize.h"

#include "base/ascii.h"

namespace courriel::mail {
namespace {

constexpr unsigned char kVersion = 1;
constexpr int kMaxNesting = 2 * kMaxDepth + 8;

class Writer {
 public:
  void u(uint64_t v) {
    while (v >= 0x80) {
      out.push_back(char((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out.push_back(char(v));
  }
  void s(std::string_view v) {
    u(v.size());
    out.append(v);
  }
  void os(const std::optional<std::string>& v) {
    out.push_back(v ? 1 : 0);
    if (v) s(*v);
  }
  void addresses(const std::vector<Address>& list) {
    u(list.size());
    for (const auto& a : list) {
      os(a.name);
      os(a.adl);
      os(a.mailbox);
      os(a.host);
    }
  }
  void envelope(const Envelope& e) {
    os(e.date);
    os(e.subject);
    addresses(e.from);
    addresses(e.sender);
    addresses(e.reply_to);
    addresses(e.to);
    addresses(e.cc);
    addresses(e.bcc);
    os(e.in_reply_to);
    os(e.message_id);
  }
  void params(const std::vector<Param>& ps) {
    u(ps.size());
    for (const auto& p : ps) {
      s(p.name);
      s(p.value);
    }
  }
  void part(const BodyPart& p) {
    s(p.type);
    s(p.subtype);
    params(p.params);
    os(p.id);
    os(p.description);
    s(p.encoding);
    u(p.size);
    u(p.lines);
    os(p.md5);
    os(p.disposition);
    params(p.disposition_params);
    u(p.language.size());
    for (const auto& l : p.language) s(l);
    os(p.location);
    u(p.header_offset);
    u(p.header_size);
    u(p.body_offset);
    u(p.body_size);
    out.push_back(p.envelope ? 1 : 0);
    if (p.envelope) envelope(*p.envelope);
    u(p.children.size());
    for (const auto& c : p.children) part(c);
  }
  std::string out;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }

  uint64_t u() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      auto b = static_cast<unsigned char>(in_[pos_++]);
      if (shift == 63 && b > 1) return fail();
      if (shift > 0 && b == 0) return fail();  // only the canonical form
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    return fail();
  }
  uint8_t byte() {
    if (pos_ >= in_.size()) return uint8_t(fail());
    return static_cast<uint8_t>(in_[pos_++]);
  }
  // A count of items each taking at least `min_bytes`.
  uint64_t count(uint64_t min_bytes) {
    uint64_t n = u();
    if (!ok_ || n > (in_.size() - pos_) / min_bytes) return fail();
    return n;
  }
  std::string s() {
    uint64_t n = u();
    if (!ok_ || n > in_.size() - pos_) {
      fail();
      return {};
    }
    std::string v(in_.substr(pos_, n));
    pos_ += n;
    return v;
  }
  std::optional<std::string> os() {
    uint8_t flag = byte();
    if (flag > 1) fail();
    if (flag != 1 || !ok_) return std::nullopt;
    return s();
  }
  std::vector<Address> addresses() {
    std::vector<Address> list(count(4));
    for (auto& a : list) {
      a.name = os();
      a.adl = os();
      a.mailbox = os();
      a.host = os();
      if (!ok_) break;
    }
    return list;
  }
  Envelope envelope() {
    Envelope e;
    e.date = os();
    e.subject = os();
    e.from = addresses();
    e.sender = addresses();
    e.reply_to = addresses();
    e.to = addresses();
    e.cc = addresses();
    e.bcc = addresses();
    e.in_reply_to = os();
    e.message_id = os();
    return e;
  }
  std::vector<Param> params() {
    std::vector<Param> ps(count(2));
    for (auto& p : ps) {
      p.name = s();
      p.value = s();
      if (!ok_) break;
    }
    return ps;
  }
  void part(BodyPart& p, int depth) {
    if (depth > kMaxNesting) {
      fail();
      return;
    }
    p.type = s();
    p.subtype = s();
    p.params = params();
    p.id = os();
    p.description = os();
    p.encoding = s();
    p.size = u();
    p.lines = u();
    p.md5 = os();
    p.disposition = os();
    p.disposition_params = params();
    p.language.resize(count(1));
    for (auto& l : p.language) {
      l = s();
      if (!ok_) return;
    }
    p.location = os();
    p.header_offset = u();
    p.header_size = u();
    p.body_offset = u();
    p.body_size = u();
    uint8_t has_env = byte();
    if (has_env > 1) fail();
    if (has_env == 1 && ok_) p.envelope = envelope();
    if (!ok_) return;
    p.children.resize(count(19));  // a part takes at least 19 bytes
    for (auto& c : p.children) {
      part(c, depth + 1);
      if (!ok_) return;
    }
    // The invariants of message.h.
    bool multipart = ascii::iequals(p.type, "multipart");
    if (p.envelope ? p.children.size() != 1 : (multipart != !p.children.empty())) fail();
  }

 private:
  uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string serialize(const ParsedMessage& m) {
  Writer w;
  w.out.push_back(char(kVersion));
  w.envelope(m.envelope);
  w.part(m.body);
  return std::move(w.out);
}

std::optional<ParsedMessage> deserialize(std::string_view bytes) {
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) != kVersion) return std::nullopt;
  Reader r(bytes.substr(1));
  ParsedMessage m;
  m.envelope = r.envelope();
  if (r.ok()) r.part(m.body, 0);
  if (!r.ok() || !r.done()) return std::nullopt;
  return m;
}

}  // namespace courriel::mail
