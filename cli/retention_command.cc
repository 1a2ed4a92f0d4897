#include "cli/retention_command.h"

#include <iostream>
#include <memory>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/config_args.h"
#include "cli/units_option.h"
#include "fusefs/mount_options.h"
#include "store/names.h"
#include "store/store.h"

namespace topicfs::cli {

void SetupRetentionCommand(CLI::App& app) {
  CLI::App* retention = app.add_subcommand("retention", "Show, set and apply retention");
  retention->require_subcommand(1);

  auto show = std::make_shared<RetentionShowOptions>();
  CLI::App* cmd = retention->add_subcommand("show", "Show a topic's retention and sizes");
  SetExamples(
      cmd, {"topicfs retention show ./mnt/orders", "cd ./mnt/orders && topicfs retention show ."});
  AddTopicArgs(cmd, &show->target);
  cmd->add_flag("--json", show->json,
                "One JSON object: topic, partitions, and the two retention configs");
  cmd->callback([show] { RunRetentionShow(*show); });

  auto set = std::make_shared<RetentionSetOptions>();
  cmd = retention->add_subcommand("set", "Set retention.ms and/or retention.bytes");
  SetExamples(cmd, {"topicfs retention set ./mnt/orders --time 3d --bytes 10G",
                    "topicfs retention set --data ./data orders --time -1"});
  AddTopicArgs(cmd, &set->target);
  AddDurationOption(cmd, "--time", &set->time_ms, "retention.ms, e.g. 3d (-1: forever)");
  AddSizeOption(cmd, "--bytes", &set->bytes,
                "retention.bytes per partition, e.g. 10G (-1: no limit)");
  cmd->callback([set] { RunRetentionSet(*set); });

  auto apply = std::make_shared<RetentionApplyOptions>();
  cmd = retention->add_subcommand("apply", "Delete the segments retention selects now");
  SetExamples(cmd, {"topicfs retention apply ./mnt/orders --dry-run",
                    "topicfs retention apply ./mnt                 # every topic of the mount",
                    "topicfs retention apply --data ./data"});
  AddStoreArgs(cmd, &apply->target, "TARGET",
               "MOUNT/NAME or a mount point; NAME (optional) with --data");
  cmd->add_flag("--dry-run", apply->dry_run, "Only list what would be deleted");
  cmd->callback([apply] { RunRetentionApply(*apply); });
}

void RunRetentionShow(const RetentionShowOptions& opt) {
  TopicTarget t = OpenTopic(opt.target, OpenMode::kReadOnly);
  TopicInfo info = Check(t.access->DescribeTopic(t.topic));
  if (opt.json) {
    PrintTopicJson(std::cout, info, {"retention.ms", "retention.bytes"});
    return Check(t.access->Close());
  }
  std::cout << "topic: " << info.name << '\n';
  PrintConfigs(std::cout, info, {"retention.ms", "retention.bytes"});
  PrintPartitions(std::cout, info);
  Check(t.access->Close());
}

void RunRetentionSet(const RetentionSetOptions& opt) {
  if (!opt.time_ms && !opt.bytes) UsageFail("nothing to set: give --time, --bytes or both");
  std::vector<ConfigChange> changes;
  if (opt.time_ms) changes.push_back(MakeConfigChange("retention.ms", *opt.time_ms));
  if (opt.bytes) changes.push_back(MakeConfigChange("retention.bytes", *opt.bytes));
  TopicTarget t = OpenTopic(opt.target, OpenMode::kExisting);
  Check(t.access->DescribeTopic(t.topic));  // NotFound before any change
  for (const ConfigChange& c : changes) Check(t.access->SetConfig(t.topic, c));
  // Say what changed and when segments go: retention runs on the mount's
  // check interval, not at once.
  const std::string topic = t.access->TopicPath(t.topic);
  for (const ConfigChange& c : changes)
    std::cout << topic << ": " << c.name << " = " << c.value << '\n';
  std::cout << "segments past it are deleted at the next retention check of the mount (every "
            << fusefs::kDefaultRetentionCheckIntervalMs / 1000
            << " s unless -o retention.check.interval.ms says otherwise), "
               "or now with: topicfs retention apply "
            << (opt.target.data_dir.empty() ? topic
                                            : "--data " + opt.target.data_dir + " " + t.topic)
            << '\n';
  Check(t.access->Close());
}

void RunRetentionApply(const RetentionApplyOptions& opt) {
  StoreTarget s = OpenStore(opt.target, /*allow_topic=*/true, /*allow_data_dir_path=*/false,
                            nullptr, opt.dry_run ? OpenMode::kReadOnly : OpenMode::kExisting);
  std::vector<store::RetentionAction> actions =
      Check(s.access->ApplyRetention(s.topic, opt.dry_run, store::NowMs()));
  for (const store::RetentionAction& a : actions) {
    std::cout << (opt.dry_run ? "would delete " : "deleted ") << s.access->TopicPath(a.topic) << '/'
              << a.partition << '/' << store::SegmentFilePrefix(a.base_offset) << store::kLogSuffix
              << " (" << a.size_bytes << " bytes)\n";
  }
  if (actions.empty()) std::cout << "nothing to delete\n";
  Check(s.access->Close());
}

}  // namespace topicfs::cli
