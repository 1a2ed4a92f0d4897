#include "cli/group_command.h"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <memory>
#include <set>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/units_option.h"

namespace topicfs::cli {
namespace {

// One row of `group describe` / `group reset`: Kafka's columns.
struct GroupRow {
  std::string group;
  int32_t partition = 0;
  int64_t current = 0;  // committed (describe) or new (reset) offset
  int64_t log_end = 0;
};

const PartitionInfo& InfoOf(const TopicInfo& info, int32_t partition) {
  for (const PartitionInfo& p : info.partitions) {
    if (p.id == partition) return p;
  }
  Fail("no partition " + std::to_string(partition) + " in " + info.name);
}

// Group names, topic names and numbers need no JSON escaping: names are
// [A-Za-z0-9._-] (DESIGN §1.7).
void PrintRows(const std::vector<GroupRow>& rows, const std::string& topic, bool json,
               const char* offset_column) {
  if (json) {
    std::cout << '[';
    for (size_t i = 0; i < rows.size(); ++i) {
      const GroupRow& r = rows[i];
      std::cout << (i ? "," : "") << "{\"group\":\"" << r.group << "\",\"topic\":\"" << topic
                << "\",\"partition\":" << r.partition << ",\"current_offset\":" << r.current
                << ",\"log_end_offset\":" << r.log_end << ",\"lag\":" << r.log_end - r.current
                << '}';
    }
    std::cout << "]\n";
    return;
  }
  size_t width = std::strlen("GROUP");
  for (const GroupRow& r : rows) width = std::max(width, r.group.size());
  auto pad = [](std::string s, size_t w) { return s.append(w > s.size() ? w - s.size() : 0, ' '); };
  std::cout << pad("GROUP", width) << "  PARTITION  " << pad(offset_column, 14) << "  "
            << pad("LOG-END-OFFSET", 14) << "  LAG\n";
  for (const GroupRow& r : rows) {
    std::cout << pad(r.group, width) << "  " << pad(std::to_string(r.partition), 9) << "  "
              << pad(std::to_string(r.current), 14) << "  " << pad(std::to_string(r.log_end), 14)
              << "  " << r.log_end - r.current << '\n';
  }
}

void RunList(const GroupListOptions& opt) {
  StoreTarget s = OpenStore(opt.target, /*allow_topic=*/true, /*allow_data_dir_path=*/false,
                            nullptr, OpenMode::kReadOnly);
  std::vector<std::string> topics =
      s.topic ? std::vector<std::string>{*s.topic} : Check(s.access->ListTopics());
  std::set<std::string> groups;
  for (const std::string& topic : topics) {
    for (const store::CommittedOffset& c : Check(s.access->ListGroupOffsets(topic))) {
      groups.insert(c.group);
    }
  }
  if (opt.json) {
    std::cout << '[';
    bool first = true;
    for (const std::string& g : groups) {
      std::cout << (first ? "" : ",") << '"' << g << '"';
      first = false;
    }
    std::cout << "]\n";
  } else {
    for (const std::string& g : groups) std::cout << g << '\n';
  }
  Check(s.access->Close());
}

void RunDescribe(const GroupDescribeOptions& opt) {
  TopicTarget t = OpenTopic(opt.target, OpenMode::kReadOnly);
  TopicInfo info = Check(t.access->DescribeTopic(t.topic));
  std::vector<GroupRow> rows;
  for (const store::CommittedOffset& c : Check(t.access->ListGroupOffsets(t.topic))) {
    if (!opt.group.empty() && c.group != opt.group) continue;
    rows.push_back({c.group, c.partition, c.offset, InfoOf(info, c.partition).log_end_offset});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const GroupRow& a, const GroupRow& b) { return a.group < b.group; });
  if (!opt.group.empty() && rows.empty()) {
    Fail("group " + opt.group + " has no committed offset in " + t.access->TopicPath(t.topic));
  }
  PrintRows(rows, t.topic, opt.json, "CURRENT-OFFSET");
  Check(t.access->Close());
}

// The offset `opt` resets partition `p` to, within [log start, log end] as
// kafka-consumer-groups.sh clamps it, saying so on stderr as it does.
int64_t ResetTarget(const GroupResetOptions& opt, StoreAccess& access, const std::string& topic,
                    const TopicInfo& info, const PartitionInfo& p,
                    const std::vector<store::CommittedOffset>& committed) {
  int64_t target;
  if (opt.to_offset) {
    target = *opt.to_offset;
  } else if (opt.to_earliest) {
    target = p.log_start_offset;
  } else if (opt.to_latest) {
    target = p.log_end_offset;
  } else if (opt.to_time_ms) {
    // Where since/<T> starts: the log end less the records from there on.
    target = p.log_end_offset -
             Check(CountRecords(access, topic, p.id, {ReadFrom::Kind::kTime, *opt.to_time_ms},
                                info.delimiter()));
  } else {
    int64_t current = p.log_start_offset;
    for (const store::CommittedOffset& c : committed) {
      if (c.partition == p.id && c.group == opt.group) current = c.offset;
    }
    target = current + *opt.shift_by;
  }
  const int64_t clamped = std::clamp(target, p.log_start_offset, p.log_end_offset);
  if (clamped != target) {
    std::cerr << "topicfs: offset " << target << " is "
              << (target > clamped ? "past the log end" : "before the log start") << " of "
              << topic << "-" << p.id << ": reset to " << clamped << "\n";
  }
  return clamped;
}

void RunReset(const GroupResetOptions& opt) {
  const int given = opt.to_offset.has_value() + opt.to_time_ms.has_value() + opt.to_earliest +
                    opt.to_latest + opt.shift_by.has_value();
  if (given != 1) {
    UsageFail("give exactly one of --to-offset, --to-time, --to-earliest, --to-latest, --shift-by");
  }
  TopicTarget t = OpenTopic(opt.target, opt.dry_run ? OpenMode::kReadOnly : OpenMode::kExisting);
  TopicInfo info = Check(t.access->DescribeTopic(t.topic));
  std::vector<store::CommittedOffset> committed = Check(t.access->ListGroupOffsets(t.topic));
  std::vector<GroupRow> plan;
  for (const PartitionInfo& p : info.partitions) {
    if (opt.partition && p.id != *opt.partition) continue;
    plan.push_back({opt.group, p.id, ResetTarget(opt, *t.access, t.topic, info, p, committed),
                    p.log_end_offset});
  }
  if (plan.empty()) Fail("no partition " + std::to_string(*opt.partition) + " in " + t.topic);
  if (!opt.dry_run) {
    for (const GroupRow& r : plan) {
      Check(t.access->SetGroupOffset(t.topic, r.partition, r.group, r.current));
    }
  }
  PrintRows(plan, t.topic, /*json=*/false, "NEW-OFFSET");
  Check(t.access->Close());
}

void RunDelete(const GroupDeleteOptions& opt) {
  TopicTarget t = OpenTopic(opt.target, OpenMode::kExisting);
  int deleted = 0;
  for (const store::CommittedOffset& c : Check(t.access->ListGroupOffsets(t.topic))) {
    if (c.group != opt.group) continue;
    Check(t.access->DeleteGroupOffset(t.topic, c.partition, c.group));
    ++deleted;
  }
  if (deleted == 0) {
    Fail("group " + opt.group + " has no committed offset in " + t.access->TopicPath(t.topic));
  }
  Check(t.access->Close());
}

}  // namespace

store::Result<int64_t> CountRecords(StoreAccess& access, std::string_view topic, int32_t partition,
                                    const ReadFrom& from, char delim) {
  store::Result<std::unique_ptr<RecordReader>> reader = access.OpenReader(topic, partition, from);
  if (!reader.ok()) return reader.status();
  std::unique_ptr<char[]> buf(new char[1 << 20]);
  int64_t records = 0;
  for (;;) {
    store::Result<size_t> n = (*reader)->Read(buf.get(), 1 << 20);
    if (!n.ok()) return n.status();
    if (*n == 0) return records;
    records += std::count(buf.get(), buf.get() + *n, delim);
  }
}

void SetupGroupCommand(CLI::App& app) {
  CLI::App* group = app.add_subcommand("group", "List, describe, reset and delete consumer groups");
  group->require_subcommand(1);

  auto list = std::make_shared<GroupListOptions>();
  CLI::App* cmd = group->add_subcommand("list", "The groups with a committed offset");
  SetExamples(cmd, {"topicfs group list ./mnt", "topicfs group list ./mnt/orders --json"});
  AddStoreArgs(cmd, &list->target, "STORE", "a mount point, or a topic in one");
  cmd->add_flag("--json", list->json, "a JSON array");
  cmd->callback([list] { RunList(*list); });

  auto describe = std::make_shared<GroupDescribeOptions>();
  cmd = group->add_subcommand("describe", "Committed offsets, log ends and lag, per partition");
  SetExamples(cmd, {"topicfs group describe ./mnt/orders billing"});
  AddTopicArgs(cmd, &describe->target);
  cmd->add_option("GROUP", describe->group, "one group (default: all)");
  cmd->add_flag("--json", describe->json, "a JSON array of rows");
  cmd->callback([describe] { RunDescribe(*describe); });

  auto reset = std::make_shared<GroupResetOptions>();
  cmd = group->add_subcommand("reset", "Move a group's committed offsets");
  SetExamples(cmd, {"topicfs group reset ./mnt/orders billing --to-earliest --dry-run",
                    "topicfs group reset ./mnt/orders billing --to-time 2026-11-21T10:00:00Z",
                    "topicfs group reset ./mnt/orders billing --shift-by -100 --partition 0"});
  AddTopicArgs(cmd, &reset->target);
  cmd->add_option("GROUP", reset->group, "the group")->required();
  cmd->add_option("--to-offset", reset->to_offset, "this offset")->check(NonNegative());
  AddTimeOption(cmd, "--to-time", &reset->to_time_ms,
                "the first record appended at or after this time (as since/<T>)");
  cmd->add_flag("--to-earliest", reset->to_earliest, "the log start");
  cmd->add_flag("--to-latest", reset->to_latest, "the log end");
  cmd->add_option("--shift-by", reset->shift_by, "this many records from the committed offset");
  cmd->add_option("-p,--partition", reset->partition, "only this partition")
      ->check(CLI::Range(0, (1 << 20) - 1));
  cmd->add_flag("--dry-run", reset->dry_run, "print the plan, change nothing");
  cmd->callback([reset] { RunReset(*reset); });

  auto del = std::make_shared<GroupDeleteOptions>();
  cmd = group->add_subcommand("delete", "Forget a group on every partition of a topic");
  SetExamples(cmd, {"topicfs group delete ./mnt/orders billing"});
  AddTopicArgs(cmd, &del->target);
  cmd->add_option("GROUP", del->group, "the group")->required();
  cmd->callback([del] { RunDelete(*del); });
}

}  // namespace topicfs::cli
