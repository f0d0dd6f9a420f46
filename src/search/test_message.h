// Test helper: a MessageAccess over an in-memory message.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mail/message.h"
#include "search/search.h"

namespace courriel::search::testing {

class FakeMessage : public MessageAccess {
 public:
  FakeMessage(std::string raw, uint32_t seq, uint32_t uid) : raw_(std::move(raw)), seq_(seq) {
    meta_.uid = uid;
    meta_.size = raw_.size();
  }
  uint32_t seq() const override { return seq_; }
  const store::MessageMeta& meta() const override { return meta_; }
  bool recent() const override { return recent_; }
  std::string_view header() override {
    ++header_loads;
    const mail::ParsedMessage& p = parse();
    return std::string_view(raw_).substr(0, p.body.header_size);
  }
  const mail::ParsedMessage& parsed() override {
    ++parsed_loads;
    return parse();
  }
  std::string_view raw() override {
    ++raw_loads;
    return raw_;
  }

  store::MessageMeta meta_;
  bool recent_ = false;
  int header_loads = 0, parsed_loads = 0, raw_loads = 0;

 private:
  const mail::ParsedMessage& parse() {
    if (!parsed_) parsed_ = mail::parse_message(raw_);
    return *parsed_;
  }
  std::string raw_;
  uint32_t seq_;
  std::optional<mail::ParsedMessage> parsed_;
};

// A mailbox of fake messages numbered 1..n, UIDs given.
struct FakeMailbox {
  std::vector<std::unique_ptr<FakeMessage>> messages;
  FakeMessage& add(std::string raw, uint32_t uid = 0) {
    uint32_t seq = static_cast<uint32_t>(messages.size() + 1);
    messages.push_back(std::make_unique<FakeMessage>(std::move(raw), seq, uid ? uid : seq * 10));
    return *messages.back();
  }
  std::vector<MessageAccess*> all() {
    std::vector<MessageAccess*> out;
    for (auto& m : messages) out.push_back(m.get());
    return out;
  }
};

}  // namespace courriel::search::testing
