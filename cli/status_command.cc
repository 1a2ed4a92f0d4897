#include "cli/status_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/config_args.h"
#include "cli/units_option.h"
#include "store/clock.h"

namespace topicfs::cli {
namespace {

constexpr int64_t kDefaultIntervalMs = 1000;

struct GroupStatus {
  std::string group;
  int64_t lag = 0;  // records, over every partition it has an offset on
};

struct TopicStatus {
  std::string name;
  int32_t partitions = 0;
  int64_t records = 0;  // in the log now: log end minus log start, summed
  int64_t bytes = 0;
  double records_per_s = 0;
  double bytes_per_s = 0;
  std::vector<GroupStatus> groups;
  std::vector<std::string> problems;
};

struct Sample {
  int64_t at_ms = 0;
  std::map<std::string, TopicInfo> topics;
};

Sample Take(StoreAccess& access) {
  Sample s;
  for (const std::string& name : Check(access.ListTopics())) {
    store::Result<TopicInfo> info = access.DescribeTopic(name);
    if (info.ok()) s.topics.emplace(name, std::move(*info));  // else deleted meanwhile
  }
  s.at_ms = store::SteadyNowMs();
  return s;
}

int64_t Sum(const TopicInfo& t, int64_t PartitionInfo::*field) {
  int64_t n = 0;
  for (const PartitionInfo& p : t.partitions) n += p.*field;
  return n;
}

std::vector<GroupStatus> Lags(StoreAccess& access, const TopicInfo& topic) {
  std::map<std::string, int64_t> lag;
  store::Result<std::vector<store::CommittedOffset>> offsets = access.ListGroupOffsets(topic.name);
  if (!offsets.ok()) return {};
  for (const store::CommittedOffset& c : *offsets) {
    for (const PartitionInfo& p : topic.partitions) {
      if (p.id == c.partition) {
        lag[c.group] += store::GroupLag(p.log_start_offset, p.log_end_offset, c.offset);
      }
    }
  }
  std::vector<GroupStatus> out;
  for (auto& [group, n] : lag) out.push_back({group, n});
  return out;
}

std::vector<TopicStatus> Summarize(StoreAccess& access, const Sample& before, const Sample& after) {
  std::vector<PartitionTier> tier;
  if (store::Result<std::vector<PartitionTier>> t = access.TierStatus(std::nullopt); t.ok()) {
    tier = std::move(*t);
  }
  const double seconds = static_cast<double>(after.at_ms - before.at_ms) / 1000.0;
  std::vector<TopicStatus> out;
  for (const auto& [name, info] : after.topics) {
    TopicStatus t;
    t.name = name;
    t.partitions = static_cast<int32_t>(info.partitions.size());
    t.records =
        Sum(info, &PartitionInfo::log_end_offset) - Sum(info, &PartitionInfo::log_start_offset);
    t.bytes = Sum(info, &PartitionInfo::size_bytes);
    auto was = before.topics.find(name);
    if (was != before.topics.end() && seconds > 0) {
      // Appends only: the log end never goes back, whatever retention does.
      t.records_per_s = static_cast<double>(Sum(info, &PartitionInfo::log_end_offset) -
                                            Sum(was->second, &PartitionInfo::log_end_offset)) /
                        seconds;
      const int64_t grew = t.bytes - Sum(was->second, &PartitionInfo::size_bytes);
      t.bytes_per_s = static_cast<double>(std::max<int64_t>(0, grew)) / seconds;
    }
    t.groups = Lags(access, info);
    for (const PartitionInfo& p : info.partitions) {
      if (!p.error.empty()) {
        t.problems.push_back("partition " + std::to_string(p.id) + " stopped: " + p.error);
      }
    }
    for (const PartitionTier& row : tier) {
      if (row.topic == name && !row.status.last_error.empty()) {
        t.problems.push_back("partition " + std::to_string(row.partition) +
                             " remote tier: " + row.status.last_error);
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

// 1536 -> "1.5K": a size to read at a glance (HumanSize is exact, for configs).
std::string Approx(double n) {
  const char* units[] = {"", "K", "M", "G", "T", "P"};
  int u = 0;
  while (n >= 1024 && u < 5) {
    n /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 || n >= 100 ? "%.0f%s" : "%.1f%s", n, units[u]);
  return buf;
}

void PrintText(const std::string& name, const std::vector<TopicStatus>& topics, bool rates) {
  int64_t bytes = 0, partitions = 0;
  for (const TopicStatus& t : topics) {
    bytes += t.bytes;
    partitions += t.partitions;
  }
  std::cout << name << ": " << topics.size() << (topics.size() == 1 ? " topic, " : " topics, ")
            << partitions << (partitions == 1 ? " partition, " : " partitions, ") << Approx(bytes)
            << " bytes\n";
  if (topics.empty()) return;
  // The rate columns only when rates were measured.
  const auto row = [&](const std::string& topic, const std::string& parts,
                       const std::string& records, const std::string& size,
                       const std::string& records_per_s, const std::string& bytes_per_s,
                       const std::string& groups) {
    char line[512];
    std::snprintf(line, sizeof line, "%-24s %5s %12s %8s", topic.c_str(), parts.c_str(),
                  records.c_str(), size.c_str());
    std::string out = line;
    if (rates) {
      std::snprintf(line, sizeof line, " %10s %8s", records_per_s.c_str(), bytes_per_s.c_str());
      out += line;
    }
    std::cout << out << "  " << groups << '\n';
  };
  row("TOPIC", "PARTS", "RECORDS", "SIZE", "RECORDS/S", "BYTES/S", "GROUPS (LAG)");
  for (const TopicStatus& t : topics) {
    std::string groups;
    for (const GroupStatus& g : t.groups) {
      groups += (groups.empty() ? "" : ", ") + g.group + " (" + std::to_string(g.lag) + ")";
    }
    row(t.name, std::to_string(t.partitions), std::to_string(t.records), Approx(t.bytes),
        Approx(t.records_per_s), Approx(t.bytes_per_s), groups.empty() ? "-" : groups);
  }
  for (const TopicStatus& t : topics) {
    for (const std::string& p : t.problems) std::cout << "problem: " << t.name << ": " << p << '\n';
  }
}

void PrintJson(const std::string& name, const std::vector<TopicStatus>& topics,
               int64_t interval_ms) {
  std::cout << "{\"store\":" << JsonString(name) << ",\"interval_ms\":" << interval_ms
            << ",\"topics\":[";
  for (size_t i = 0; i < topics.size(); ++i) {
    const TopicStatus& t = topics[i];
    char rates[128];
    std::snprintf(rates, sizeof rates, ",\"records_per_second\":%.3f,\"bytes_per_second\":%.3f",
                  t.records_per_s, t.bytes_per_s);
    std::cout << (i ? "," : "") << "{\"topic\":" << JsonString(t.name)
              << ",\"partitions\":" << t.partitions << ",\"records\":" << t.records
              << ",\"size_bytes\":" << t.bytes << rates << ",\"groups\":[";
    for (size_t g = 0; g < t.groups.size(); ++g) {
      std::cout << (g ? "," : "") << "{\"group\":" << JsonString(t.groups[g].group)
                << ",\"lag\":" << t.groups[g].lag << "}";
    }
    std::cout << "],\"problems\":[";
    for (size_t p = 0; p < t.problems.size(); ++p) {
      std::cout << (p ? "," : "") << JsonString(t.problems[p]);
    }
    std::cout << "]}";
  }
  std::cout << "]}\n";
}

}  // namespace

void SetupStatusCommand(CLI::App& app) {
  auto opt = std::make_shared<StatusOptions>();
  CLI::App* cmd = app.add_subcommand(
      "status", "A store at a glance: topics, records, bytes, append rates, groups' lag, problems");
  SetExamples(cmd, {"topicfs status ./mnt", "topicfs status ./mnt --interval 5s --json",
                    "topicfs status --data ./data --interval 0   # unmounted: no rates"});
  AddStoreArgs(cmd, &opt->store, "STORE", "A mount point or a data directory");
  AddDurationOption(cmd, "--interval", &opt->interval_ms,
                    "How long to measure append rates over (default 1s; 0: no rates)");
  cmd->add_flag("--json", opt->json,
                "One JSON object: store, interval_ms, topics (each with partitions, records, "
                "size_bytes, records_per_second, bytes_per_second, groups, problems)");
  cmd->callback([opt] { RunStatus(*opt); });
}

void RunStatus(const StatusOptions& opt) {
  StoreTarget s = OpenStore(opt.store, /*allow_topic=*/false, /*allow_data_dir_path=*/true, nullptr,
                            OpenMode::kReadOnly);
  const int64_t interval = opt.interval_ms.value_or(kDefaultIntervalMs);
  if (interval < 0) UsageFail("--interval must not be negative");
  Sample before = Take(*s.access);
  Sample after = before;
  if (interval > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(interval));
    after = Take(*s.access);
  }
  const std::vector<TopicStatus> topics = Summarize(*s.access, before, after);
  const std::string& named = opt.store.data_dir.empty() ? opt.store.path : opt.store.data_dir;
  if (opt.json) {
    PrintJson(named, topics, interval);
  } else {
    PrintText(s.access->Name(), topics, interval > 0);
  }
  std::cout.flush();
  Check(s.access->Close());
}

}  // namespace topicfs::cli
