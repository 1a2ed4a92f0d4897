// `topicfs recover DATA`: opens an unmounted data directory with a full scan
// of every segment (as after meta/ was lost), printing each cut and rebuilt
// index, and closes it cleanly (DESIGN §4).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace topicfs::cli {

struct RecoverOptions {
  std::string data_dir;
  // The remote tier the store copied to (DESIGN §9): its manifests rebuild
  // the remote catalog.
  std::string tier;
  std::string tier_endpoint;
  std::string tier_region;
};

void SetupRecoverCommand(CLI::App& app);
void RunRecover(const RecoverOptions& opt);

}  // namespace topicfs::cli
