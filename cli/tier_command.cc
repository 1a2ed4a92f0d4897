#include "cli/tier_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/config_args.h"

namespace topicfs::cli {
namespace {

std::string Range(int64_t from, int64_t to) {
  return "[" + std::to_string(from) + ", " + std::to_string(to) + ")";
}

void PrintJson(const std::vector<PartitionTier>& rows, StoreAccess& access) {
  std::cout << "{\"partitions\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const store::Store::TierStatus& s = rows[i].status;
    std::cout << (i ? "," : "") << "{\"topic\":" << JsonString(rows[i].topic)
              << ",\"partition\":" << rows[i].partition
              << ",\"paused\":" << (Check(access.TierPaused(rows[i].topic)) ? "true" : "false")
              << ",\"log_start_offset\":" << s.log_start_offset
              << ",\"local_log_start_offset\":" << s.local_log_start_offset
              << ",\"log_end_offset\":" << s.log_end_offset << ",\"local_bytes\":" << s.local_bytes
              << ",\"remote_bytes\":" << s.remote_bytes
              << ",\"pending_copies\":" << s.pending_copies
              << ",\"pending_deletes\":" << s.pending_deletes
              << ",\"last_error\":" << (s.last_error.empty() ? "null" : JsonString(s.last_error))
              << "}";
  }
  std::cout << "]}\n";
}

}  // namespace

void SetupTierCommand(CLI::App& app) {
  CLI::App* tier = app.add_subcommand("tier", "The remote tier: status, pause, resume");
  tier->require_subcommand(1);

  auto status = std::make_shared<TierStatusOptions>();
  CLI::App* cmd = tier->add_subcommand(
      "status", "Per partition: local and remote ranges, bytes, pending work, last error");
  SetExamples(cmd, {"topicfs tier status ./mnt", "topicfs tier status ./mnt/orders --json",
                    "topicfs tier status --data ./data"});
  AddStoreArgs(cmd, &status->target, "TARGET",
               "MOUNT/NAME or a mount point; NAME (optional) with --data");
  cmd->add_flag("--json", status->json,
                "One JSON object: partitions, each with its ranges, bytes, pending work and error");
  cmd->callback([status] { RunTierStatus(*status); });

  for (bool paused : {true, false}) {
    auto opt = std::make_shared<TierPauseOptions>();
    opt->paused = paused;
    cmd = tier->add_subcommand(paused ? "pause" : "resume",
                               paused ? "Stop copying a topic's segments to the remote tier"
                                      : "Copy a paused topic's segments again");
    SetExamples(cmd, {paused ? "topicfs tier pause ./mnt/orders"
                             : "topicfs tier resume ./mnt/orders"});
    AddTopicArgs(cmd, &opt->target);
    cmd->callback([opt] { RunTierPause(*opt); });
  }
}

void RunTierStatus(const TierStatusOptions& opt) {
  StoreTarget s = OpenStore(opt.target, /*allow_topic=*/true, /*allow_data_dir_path=*/false,
                            nullptr, OpenMode::kReadOnly);
  std::vector<PartitionTier> rows = Check(s.access->TierStatus(s.topic));
  if (opt.json) {
    PrintJson(rows, *s.access);
    return Check(s.access->Close());
  }
  for (const PartitionTier& row : rows) {
    const store::Store::TierStatus& st = row.status;
    std::cout << s.access->TopicPath(row.topic) << '/' << row.partition << ": remote "
              << Range(st.log_start_offset, st.local_log_start_offset) << ' '
              << st.remote_bytes << " bytes, local "
              << Range(st.local_log_start_offset, st.log_end_offset) << ' '
              << st.local_bytes << " bytes, pending " << st.pending_copies << " copies "
              << st.pending_deletes << " deletions"
              << (Check(s.access->TierPaused(row.topic)) ? ", paused" : "");
    if (!st.last_error.empty()) std::cout << ", last error: " << st.last_error;
    std::cout << '\n';
  }
  Check(s.access->Close());
}

void RunTierPause(const TierPauseOptions& opt) {
  TopicTarget t = OpenTopic(opt.target, OpenMode::kExisting);
  Check(t.access->SetTierPaused(t.topic, opt.paused));
  std::cout << (opt.paused ? "paused" : "resumed") << " copies of " << t.access->TopicPath(t.topic)
            << " to the remote tier\n";
  Check(t.access->Close());
}

}  // namespace topicfs::cli
