// `topicfs produce TOPIC [--partition P]`: stdin becomes records, read and
// appended in large chunks (never a syscall per record).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

#include "cli/target.h"

namespace topicfs::cli {

struct ProduceOptions {
  TopicArgs target;
  int32_t partition = 0;
};

void SetupProduceCommand(CLI::App& app);
void RunProduce(const ProduceOptions& opt);

}  // namespace topicfs::cli
