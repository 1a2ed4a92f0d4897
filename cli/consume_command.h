// `topicfs consume TOPIC [--partition P] (--offset N | --time T |
// --from-beginning) [--count K] [-f]`: writes records exactly as stored,
// delimiter included, streamed in large reads; records are counted with
// memchr, never one syscall each.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>

#include "cli/target.h"

namespace topicfs::cli {

struct ConsumeOptions {
  TopicArgs target;
  int32_t partition = 0;
  std::optional<int64_t> offset;
  std::optional<int64_t> time_ms;
  bool from_beginning = false;
  std::optional<int64_t> count;
  bool follow = false;
};

void SetupConsumeCommand(CLI::App& app);
void RunConsume(const ConsumeOptions& opt);

}  // namespace topicfs::cli
