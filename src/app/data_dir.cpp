#include "app/data_dir.h"

#include <sys/stat.h>

namespace courriel::app {

Status ensure_data_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_error(Errc::internal, "cannot create data dir " + dir.string() + ": " + ec.message());
  // Users, mail and keys live here: nobody else may look in.
  if (created && ::chmod(dir.c_str(), 0700) != 0)
    return make_error(Errc::internal, "cannot make data dir " + dir.string() + " private");
  return {};
}

}  // namespace courriel::app
