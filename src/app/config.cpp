#include "app/config.h"

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <toml++/toml.h>

namespace courriel::app {
namespace {

// One setter per key: the table of what the file may contain. A setter
// returns an error text (empty when the value was taken).
using Setter = std::function<std::string(const toml::node&, Config&)>;

template <class T>
std::optional<T> value_of(const toml::node& node) {
  return node.value_exact<T>();
}

Setter string_key(std::function<std::string(std::string, Config&)> set) {
  return [set](const toml::node& n, Config& c) -> std::string {
    auto v = value_of<std::string>(n);
    if (!v) return "must be a string";
    return set(*v, c);
  };
}

Setter integer_key(int64_t min, int64_t max, std::function<void(int64_t, Config&)> set) {
  return [=](const toml::node& n, Config& c) -> std::string {
    auto v = value_of<int64_t>(n);
    if (!v) return "must be an integer";
    if (*v < min || *v > max)
      return "must be between " + std::to_string(min) + " and " + std::to_string(max);
    set(*v, c);
    return {};
  };
}

Setter bool_key(std::function<void(bool, Config&)> set) {
  return [set](const toml::node& n, Config& c) -> std::string {
    auto v = value_of<bool>(n);
    if (!v) return "must be true or false";
    set(*v, c);
    return {};
  };
}

Setter listen_key(std::optional<net::ListenAddress> Config::*field) {
  return string_key([field](std::string v, Config& c) -> std::string {
    auto parsed = net::parse_listen_address(v);
    if (!parsed) return parsed.error().detail;
    c.*field = *parsed;
    return {};
  });
}

const std::map<std::string, std::map<std::string, Setter>>& schema() {
  static const std::map<std::string, std::map<std::string, Setter>> table = {
      {"server",
       {
           {"data_dir", string_key([](std::string v, Config& c) -> std::string {
              if (v.empty()) return "must not be empty";
              c.data_dir = v;
              return {};
            })},
           {"threads", integer_key(0, 256, [](int64_t v, Config& c) { c.threads = unsigned(v); })},
           {"log_level", string_key([](std::string v, Config& c) -> std::string {
              static const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
              for (const char* l : levels)
                if (v == l) {
                  c.log_level = v;
                  return {};
                }
              return "must be one of trace, debug, info, warn, error, off";
            })},
           {"pid_file", string_key([](std::string v, Config& c) -> std::string {
              c.pid_file = v;
              return {};
            })},
           {"hostname", string_key([](std::string v, Config& c) -> std::string {
              if (v.empty()) return "must not be empty";
              c.hostname = v;
              return {};
            })},
       }},
      {"imap",
       {
           {"listen", listen_key(&Config::imap)},
           {"listen_tls", listen_key(&Config::imaps)},
           {"max_line_length", integer_key(1024, 16 << 20, [](int64_t v, Config& c) {
              c.max_line_length = size_t(v);
            })},
           {"max_literal_size", integer_key(1024, 1 << 30, [](int64_t v, Config& c) {
              c.max_literal_size = size_t(v);
            })},
           {"max_message_size", integer_key(1024, int64_t(4) << 30, [](int64_t v, Config& c) {
              c.max_message_size = uint64_t(v);
            })},
           {"unauthenticated_timeout", integer_key(5, 3600, [](int64_t v, Config& c) {
              c.unauthenticated_timeout = std::chrono::seconds(v);
            })},
           // RFC 9051 §5.4: the autologout timer is at least 30 minutes.
           {"idle_timeout", integer_key(1800, 86400, [](int64_t v, Config& c) {
              c.idle_timeout = std::chrono::seconds(v);
            })},
       }},
      {"lmtp",
       {
           {"listen", listen_key(&Config::lmtp)},
           {"recipient_delimiter", string_key([](std::string v, Config& c) -> std::string {
              if (v.size() > 8 || v.find('@') != std::string::npos)
                return "must be at most 8 characters, without '@'";
              c.recipient_delimiter = v;
              return {};
            })},
           {"detail_to_folder", bool_key([](bool v, Config& c) { c.detail_to_folder = v; })},
           {"max_message_size", integer_key(1024, int64_t(4) << 30, [](int64_t v, Config& c) {
              c.lmtp_max_message_size = uint64_t(v);
            })},
           {"quota_full_permanent", bool_key([](bool v, Config& c) { c.quota_full_permanent = v; })},
       }},
      {"delivery",
       {
           {"smtp_relay", string_key([](std::string v, Config& c) -> std::string {
              if (v.empty()) {
                c.smtp_relay.reset();
                return {};
              }
              auto parsed = net::parse_listen_address(v);
              if (!parsed) return parsed.error().detail;
              c.smtp_relay = *parsed;
              return {};
            })},
       }},
      {"managesieve",
       {
           {"listen", listen_key(&Config::managesieve)},
           {"max_script_size", integer_key(1024, 64 << 20, [](int64_t v, Config& c) {
              c.max_script_size = uint64_t(v);
            })},
           {"max_scripts", integer_key(1, 10000, [](int64_t v, Config& c) {
              c.max_scripts = unsigned(v);
            })},
       }},
      {"tls",
       {
           {"cert_file", string_key([](std::string v, Config& c) -> std::string {
              c.cert_file = v;
              return {};
            })},
           {"key_file", string_key([](std::string v, Config& c) -> std::string {
              c.key_file = v;
              return {};
            })},
       }},
      {"auth",
       {
           {"cleartext", string_key([](std::string v, Config& c) -> std::string {
              if (v == "never") c.cleartext = CleartextPolicy::never;
              else if (v == "loopback") c.cleartext = CleartextPolicy::loopback;
              else if (v == "always") c.cleartext = CleartextPolicy::always;
              else return "must be one of never, loopback, always";
              return {};
            })},
           {"default_domain", string_key([](std::string v, Config& c) -> std::string {
              if (v.empty()) return "must not be empty";
              c.default_domain = v;
              return {};
            })},
           {"create_demo_user", bool_key([](bool v, Config& c) { c.create_demo_user = v; })},
           {"failure_delay_ms", integer_key(0, 60000, [](int64_t v, Config& c) {
              c.failure_delay = std::chrono::milliseconds(v);
            })},
           {"failure_delay_max_ms", integer_key(0, 600000, [](int64_t v, Config& c) {
              c.failure_delay_max = std::chrono::milliseconds(v);
            })},
           {"max_failures_per_connection", integer_key(1, 100, [](int64_t v, Config& c) {
              c.max_failures_per_connection = unsigned(v);
            })},
           {"login_cache_ttl_s", integer_key(0, 86400, [](int64_t v, Config& c) {
              c.login_cache_ttl = std::chrono::seconds(v);
            })},
       }},
      {"quota",
       {
           {"default_storage", integer_key(0, INT64_MAX, [](int64_t v, Config& c) {
              c.default_storage_limit = uint64_t(v);
            })},
           {"default_messages", integer_key(0, INT64_MAX, [](int64_t v, Config& c) {
              c.default_message_limit = uint64_t(v);
            })},
       }},
  };
  return table;
}

}  // namespace

std::filesystem::path Config::effective_cert_file() const {
  return cert_file.empty() ? data_dir / "tls" / "cert.pem" : cert_file;
}

std::filesystem::path Config::effective_key_file() const {
  return key_file.empty() ? data_dir / "tls" / "key.pem" : key_file;
}

Result<Config> parse_config(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ":" << e.source().begin.line << ": " << e.description();
    return make_error(Errc::invalid, msg.str());
  }
  Config config;
  for (auto&& [section, node] : root) {
    std::string name(section.str());
    auto known = schema().find(name);
    if (known == schema().end())
      return make_error(Errc::invalid, std::string(origin) + ": unknown section [" + name + "]");
    const toml::table* table = node.as_table();
    if (!table)
      return make_error(Errc::invalid, std::string(origin) + ": '" + name + "' must be a section");
    for (auto&& [key, value] : *table) {
      std::string full = name + "." + std::string(key.str());
      auto setter = known->second.find(std::string(key.str()));
      if (setter == known->second.end())
        return make_error(Errc::invalid, std::string(origin) + ": unknown key " + full);
      if (std::string err = setter->second(value, config); !err.empty())
        return make_error(Errc::invalid, std::string(origin) + ": " + full + " " + err);
    }
  }
  if (config.failure_delay_max < config.failure_delay)
    return make_error(Errc::invalid, std::string(origin) +
                                         ": auth.failure_delay_max_ms must be at least "
                                         "auth.failure_delay_ms");
  return config;
}

Result<Config> load_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::not_found, "cannot read config file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string());
}

}  // namespace courriel::app
