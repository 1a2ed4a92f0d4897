// `topicfs verify STORE`: re-reads sealed segments against their XXH3-64 and
// checks every index; prints each problem with its path, exit 1 when any.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/target.h"

namespace topicfs::cli {

struct VerifyOptions {
  StoreArgs store;
  bool json = false;  // a mount point, --data DIR, or a data directory
};

void SetupVerifyCommand(CLI::App& app);
void RunVerify(const VerifyOptions& opt);

}  // namespace topicfs::cli
