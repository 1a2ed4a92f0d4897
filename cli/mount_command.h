// `topicfs mount DATA MOUNTPOINT [-f] [--allow-other] [--log FILE] [-o OPT]...`
// and `topicfs unmount MOUNTPOINT` (DESIGN §5).
#pragma once

#include <CLI/CLI.hpp>

namespace topicfs::cli {

void SetupMountCommands(CLI::App& app);

}  // namespace topicfs::cli
