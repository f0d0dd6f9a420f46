// The data directory: created private (0700) by whichever command needs it
// first, `courriel serve` or `courriel user add` before the first start.
#pragma once

#include <filesystem>

#include "base/result.h"

namespace courriel::app {

Status ensure_data_dir(const std::filesystem::path& dir);

}  // namespace courriel::app
