// `topicfs dump FILE...`: a segment's files as text, the base offset taken
// from the 20-digit file name (Kafka's DumpLogSegments, for our formats):
//   .index      offset: N position: P
//   .timeindex  timestamp: T offset: N
//   .log        offset: N position: P size: S payload: TEXT
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace topicfs::cli {

struct DumpOptions {
  std::vector<std::string> files;
  std::string delimiter = "auto";  // of .log files: newline, nul, or auto
  bool json = false;               // JSON Lines
};

void SetupDumpCommand(CLI::App& app);
void RunDump(const DumpOptions& opt);

}  // namespace topicfs::cli
