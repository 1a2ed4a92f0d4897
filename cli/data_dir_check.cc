#include "cli/data_dir_check.h"

#include <iostream>

#include "cli/cli_error.h"
#include "store/data_dir.h"

namespace topicfs::cli {

void CheckDataDir(const std::string& data_dir, bool tighten) {
  std::string tightened;
  Check(store::SecureDataDir(data_dir, tighten, &tightened));
  if (!tightened.empty()) std::cerr << "topicfs: " << tightened << std::endl;
}

}  // namespace topicfs::cli
