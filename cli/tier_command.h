// `topicfs tier status|pause|resume` (DESIGN §9): what each partition holds
// locally and in the remote tier, and pausing a topic's copies.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/target.h"

namespace topicfs::cli {

struct TierStatusOptions {
  StoreArgs target;  // a store, or one topic of it
  bool json = false;
};

struct TierPauseOptions {
  TopicArgs target;
  bool paused = true;  // pause, or resume
};

void SetupTierCommand(CLI::App& app);
void RunTierStatus(const TierStatusOptions& opt);
void RunTierPause(const TierPauseOptions& opt);

}  // namespace topicfs::cli
