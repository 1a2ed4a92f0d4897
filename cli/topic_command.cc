#include "cli/topic_command.h"

#include <iostream>
#include <memory>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/config_args.h"
#include "cli/units_option.h"

namespace topicfs::cli {
namespace {

void SetupCreate(CLI::App* topic) {
  auto opt = std::make_shared<TopicCreateOptions>();
  CLI::App* cmd = topic->add_subcommand("create", "Create a topic");
  SetExamples(
      cmd,
      {"topicfs topic create ./mnt/orders --partitions 3 --retention 7d --segment-bytes 1G",
       "topicfs topic create --data ./data logs --delimiter nul --config flush.messages=1000"});
  AddTopicArgs(cmd, &opt->target);
  cmd->add_option("--partitions", opt->partitions, "Number of partitions (default 1)")
      ->check(CLI::Range(1, 1 << 20));
  AddDurationOption(cmd, "--retention", &opt->retention_ms, "retention.ms, e.g. 7d (-1: forever)");
  AddSizeOption(cmd, "--retention-bytes", &opt->retention_bytes,
                "retention.bytes per partition, e.g. 10G (-1: no limit)");
  AddSizeOption(cmd, "--segment-bytes", &opt->segment_bytes, "segment.bytes, e.g. 1G");
  AddDurationOption(cmd, "--segment-ms", &opt->segment_ms, "segment.ms, e.g. 7d");
  AddSizeOption(cmd, "--index-interval-bytes", &opt->index_interval_bytes,
                "index.interval.bytes, e.g. 4K");
  AddSizeOption(cmd, "--max-message-bytes", &opt->max_message_bytes, "max.message.bytes, e.g. 1M");
  cmd->add_option("--delimiter", opt->delimiter, "record.delimiter")
      ->check(CLI::IsMember({"newline", "nul"}));
  cmd->add_option("--config", opt->configs, "Any topic config as NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  cmd->callback([opt] { RunTopicCreate(*opt); });
}

void SetupAlter(CLI::App* topic) {
  auto opt = std::make_shared<TopicAlterOptions>();
  CLI::App* cmd = topic->add_subcommand("alter", "Add partitions or change configs");
  SetExamples(cmd, {"topicfs topic alter ./mnt/orders --partitions 5 --config retention.ms=3d"});
  AddTopicArgs(cmd, &opt->target);
  cmd->add_option("--partitions", opt->partitions, "New partition count (only grows)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--config", opt->configs, "Set a topic config, NAME=VALUE (repeatable)")
      ->type_name("NAME=VALUE");
  cmd->add_option("--delete-config", opt->delete_configs, "Restore a config's default (repeatable)")
      ->type_name("NAME");
  cmd->callback([opt] { RunTopicAlter(*opt); });
}

}  // namespace

void SetupTopicCommand(CLI::App& app) {
  CLI::App* topic = app.add_subcommand("topic", "Create, list, describe, alter, delete topics");
  topic->require_subcommand(1);
  SetupCreate(topic);

  auto list = std::make_shared<TopicListOptions>();
  CLI::App* cmd = topic->add_subcommand("list", "List the topics of a store");
  SetExamples(cmd, {"topicfs topic list ./mnt", "topicfs topic list --data ./data --json"});
  AddStoreArgs(cmd, &list->store, "STORE", "A mount point (or --data DIR)");
  cmd->add_flag("--json", list->json, "A JSON array of topic names");
  cmd->callback([list] { RunTopicList(*list); });

  auto describe = std::make_shared<TopicDescribeOptions>();
  cmd = topic->add_subcommand("describe", "Show a topic's configs and partitions");
  SetExamples(
      cmd, {"topicfs topic describe ./mnt/orders", "cd ./mnt/orders && topicfs topic describe ."});
  AddTopicArgs(cmd, &describe->target);
  cmd->add_flag("--json", describe->json,
                "One JSON object: topic, partitions (offsets, bytes, segments), configs");
  cmd->callback([describe] { RunTopicDescribe(*describe); });

  SetupAlter(topic);

  auto del = std::make_shared<TopicDeleteOptions>();
  cmd = topic->add_subcommand(
      "delete",
      "Delete a topic and its data: on a live mount its owner or root may, and readers that have "
      "its files open finish them; with --data the store must be unmounted");
  SetExamples(cmd,
              {"topicfs topic delete ./mnt/orders", "topicfs topic delete --data ./data orders"});
  AddTopicArgs(cmd, &del->target);
  cmd->callback([del] { RunTopicDelete(*del); });
}

void RunTopicCreate(const TopicCreateOptions& opt) {
  std::vector<ConfigChange> changes;
  if (opt.retention_ms) changes.push_back(MakeConfigChange("retention.ms", *opt.retention_ms));
  if (opt.retention_bytes) {
    changes.push_back(MakeConfigChange("retention.bytes", *opt.retention_bytes));
  }
  if (opt.segment_bytes) changes.push_back(MakeConfigChange("segment.bytes", *opt.segment_bytes));
  if (opt.segment_ms) changes.push_back(MakeConfigChange("segment.ms", *opt.segment_ms));
  if (opt.index_interval_bytes) {
    changes.push_back(MakeConfigChange("index.interval.bytes", *opt.index_interval_bytes));
  }
  if (opt.max_message_bytes) {
    changes.push_back(MakeConfigChange("max.message.bytes", *opt.max_message_bytes));
  }
  if (!opt.delimiter.empty()) {
    changes.push_back(MakeConfigChange("record.delimiter", opt.delimiter));
  }
  for (const std::string& c : opt.configs) changes.push_back(ParseConfigAssignment(c));

  TopicTarget t = OpenTopic(opt.target, OpenMode::kCreate);
  Check(t.access->CreateTopic(t.topic, opt.partitions, changes));
  Check(t.access->Close());
}

void RunTopicList(const TopicListOptions& opt) {
  StoreTarget s = OpenStore(opt.store, /*allow_topic=*/false, /*allow_data_dir_path=*/false,
                            nullptr, OpenMode::kReadOnly);
  const std::vector<std::string> names = Check(s.access->ListTopics());
  if (opt.json) {
    std::cout << '[';
    for (size_t i = 0; i < names.size(); ++i) std::cout << (i ? "," : "") << JsonString(names[i]);
    std::cout << "]\n";
  } else {
    for (const std::string& name : names) std::cout << name << '\n';
  }
  Check(s.access->Close());
}

void RunTopicDescribe(const TopicDescribeOptions& opt) {
  TopicTarget t = OpenTopic(opt.target, OpenMode::kReadOnly);
  TopicInfo info = Check(t.access->DescribeTopic(t.topic));
  if (opt.json) {
    PrintTopicJson(std::cout, info);
    return Check(t.access->Close());
  }
  std::cout << "topic: " << info.name << '\n'
            << "partitions: " << info.partitions.size() << '\n'
            << "config:\n";
  PrintConfigs(std::cout, info);
  PrintPartitions(std::cout, info);
  Check(t.access->Close());
}

void RunTopicAlter(const TopicAlterOptions& opt) {
  std::vector<ConfigChange> changes;
  for (const std::string& c : opt.configs) changes.push_back(ParseConfigAssignment(c));
  for (const std::string& name : opt.delete_configs) CheckConfigName(name);
  if (!opt.partitions && changes.empty() && opt.delete_configs.empty()) {
    UsageFail("nothing to alter: give --partitions, --config or --delete-config");
  }
  TopicTarget t = OpenTopic(opt.target, OpenMode::kExisting);
  Check(t.access->DescribeTopic(t.topic));  // NotFound before any change
  if (opt.partitions) Check(t.access->SetPartitionCount(t.topic, *opt.partitions));
  for (const ConfigChange& c : changes) Check(t.access->SetConfig(t.topic, c));
  for (const std::string& name : opt.delete_configs) Check(t.access->UnsetConfig(t.topic, name));
  Check(t.access->Close());
}

void RunTopicDelete(const TopicDeleteOptions& opt) {
  TopicTarget t = OpenTopic(opt.target, OpenMode::kExisting);
  Check(t.access->DeleteTopic(t.topic));
  Check(t.access->Close());
}

}  // namespace topicfs::cli
