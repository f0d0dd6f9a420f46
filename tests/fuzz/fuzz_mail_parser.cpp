// libFuzzer target for the mail/ parser: parse_message must be total, every
// part path must resolve within the message, serialization must round-trip,
// and the decoders must accept whatever the parts hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "mail/address.h"
#include "mail/decode.h"
#include "mail/header.h"
#include "mail/message.h"
#include "mail/serialize.h"
#include "mail/subject.h"

using namespace courriel::mail;

namespace {

void check(bool ok) {
  if (!ok) abort();
}

void walk(std::string_view m, const BodyPart& root, const BodyPart& p,
          std::vector<uint32_t>& path, int depth) {
  check(depth <= 2 * kMaxDepth + 4);
  check(p.header_offset + p.header_size == p.body_offset);
  check(p.body_offset + p.body_size <= m.size());
  check(p.size == p.body_size);
  check(p.is_message() == p.envelope.has_value());
  std::string_view body = m.substr(p.body_offset, p.body_size);
  (void)decode_transfer_encoding(body, p.encoding);
  if (!p.children.empty() && !p.is_message()) {
    for (uint32_t i = 0; i < p.children.size(); ++i) {
      const BodyPart& c = p.children[i];
      check(c.header_offset >= p.body_offset);
      path.push_back(i + 1);
      check(find_part(root, path) == &c);
      walk(m, root, c, path, depth + 1);
      path.pop_back();
    }
    path.push_back(uint32_t(p.children.size() + 1));
    check(find_part(root, path) == nullptr);
    path.pop_back();
  } else if (p.is_message()) {
    const BodyPart& inner = p.children[0];
    check(inner.header_offset == p.body_offset);
    if (inner.is_multipart()) {
      walk(m, root, inner, path, depth + 1);
    } else {
      path.push_back(1);
      check(find_part(root, path) == &inner);
      walk(m, root, inner, path, depth + 1);
      path.pop_back();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view m(reinterpret_cast<const char*>(data), size);
  ParsedMessage pm = parse_message(m);
  std::vector<uint32_t> path;
  if (!pm.body.is_multipart()) {
    path.push_back(1);
    check(find_part(pm.body, path) == &pm.body);
    walk(m, pm.body, pm.body, path, 0);
  } else {
    walk(m, pm.body, pm.body, path, 0);
  }
  std::string bytes = serialize(pm);
  auto back = deserialize(bytes);
  check(back.has_value() && *back == pm);
  (void)deserialize(m);  // garbage in

  if (pm.envelope.subject) {
    (void)decode_header_text(*pm.envelope.subject);
    (void)base_subject(*pm.envelope.subject);
  }
  (void)decode_header_text(m.substr(0, 4096));
  (void)parse_addresses(m.substr(0, 4096));
  (void)text_for_search(m, pm.body);
  return 0;
}
