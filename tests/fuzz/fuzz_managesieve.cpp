// libFuzzer target for the ManageSieve command syntax (managesieve/proto):
// parse_command over the input as a stream of commands, checking that a
// prefix of a complete command never completes differently, that progress
// is always made, and that quote() round-trips through the parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "managesieve/proto/command.h"

using namespace courriel::managesieve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Limits limits{.max_line = 512, .max_literal = 4096};
  for (bool named : {true, false}) {
    std::string_view rest = in;
    while (!rest.empty()) {
      Step step = parse_command(rest, limits, named);
      if (step.state == Step::need_more || step.state == Step::fatal || step.state == Step::too_big) break;
      if (step.consumed == 0 || step.consumed > rest.size()) std::abort();
      if (step.state == Step::complete) {
        // Every proper prefix of a complete command is incomplete.
        Step partial = parse_command(rest.substr(0, step.consumed - 1), limits, named);
        if (partial.state == Step::complete) std::abort();
        // Quoting each argument and parsing it back gives the same bytes.
        for (const std::string& arg : step.command.args) {
          std::string line = "X " + quote(arg) + "\r\n";
          Step back = parse_command(line, Limits{.max_line = 1 << 20, .max_literal = 1 << 20});
          if (back.state != Step::complete || back.command.args.size() != 1 ||
              back.command.args[0] != arg)
            std::abort();
        }
      }
      rest.remove_prefix(step.consumed);
    }
  }
  return 0;
}
