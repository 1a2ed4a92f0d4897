#include "cli/consume_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/fs_util.h"
#include "cli/run_program.h"
#include "cli/units_option.h"

namespace topicfs::cli {
namespace {

// Reads start small (a --count 1 through a mount should not fetch 1 MiB)
// and double up to the full chunk.
constexpr size_t kFirstReadBytes = 64 << 10;
constexpr size_t kChunkBytes = 1 << 20;
constexpr auto kFollowPoll = std::chrono::milliseconds(100);

ReadFrom StartOf(const ConsumeOptions& opt) {
  int given = opt.offset.has_value() + opt.time_ms.has_value() + opt.from_beginning;
  if (given != 1) UsageFail("give exactly one of --offset, --time or --from-beginning");
  if (opt.offset) return {ReadFrom::Kind::kOffset, *opt.offset};
  if (opt.time_ms) return {ReadFrom::Kind::kTime, *opt.time_ms};
  return {ReadFrom::Kind::kBeginning, 0};
}

// Length of the prefix of `data` holding at most `*left` records; takes
// what it used from `*left`.
size_t TakeRecords(const char* data, size_t len, char delim, int64_t* left) {
  const char* p = data;
  const char* end = data + len;
  while (*left > 0 && p < end) {
    const void* hit = std::memchr(p, delim, end - p);
    if (hit == nullptr) return len;  // a record continues in the next read
    p = static_cast<const char*>(hit) + 1;
    --*left;
  }
  return *left > 0 ? len : static_cast<size_t>(p - data);
}

// Where records go: stdout, or the --exec command's stdin.
class RecordSink {
 public:
  explicit RecordSink(const std::string& exec) : exec_(exec) {}
  void Write(const char* data, size_t len) {
    if (exec_.empty()) return Check(WriteAll(STDOUT_FILENO, data, len, "write stdout"));
    if (program_ == nullptr) program_ = Check(FedProgram::Start({"/bin/sh", "-c", exec_}));
    if (!failed_write_) failed_write_ = !program_->Write(data, len).ok();
  }
  // Whether what was written may be committed: always for stdout; for a
  // command, once it read everything and exited 0.
  bool Finish(std::string* why) {
    if (program_ == nullptr) return true;
    const int code = program_->Finish();
    program_.reset();
    if (code == 0 && !failed_write_) return true;
    *why = "'" + exec_ + "' " +
           (code == 0 ? std::string("stopped reading its input")
                      : "exited with " + std::to_string(code));
    return false;
  }

 private:
  const std::string& exec_;
  std::unique_ptr<FedProgram> program_;
  bool failed_write_ = false;
};

// One partition's turn of a group consume: the records from the group's
// committed offset to the log end (at most `*left` when >= 0), written,
// then committed. Returns how many records.
int64_t ConsumeGroupPartition(StoreAccess& access, const std::string& topic, int32_t partition,
                              const ConsumeOptions& opt, char delim, int64_t* left) {
  std::unique_ptr<GroupReader> reader = Check(access.OpenGroupReader(topic, partition, opt.group));
  std::unique_ptr<char[]> buf(new char[kChunkBytes]);
  RecordSink sink(opt.exec);
  int64_t records = 0, bytes = 0;
  while (*left != 0) {
    size_t n = Check(reader->Read(buf.get(), kChunkBytes));
    if (n == 0) break;
    int64_t before = *left;
    size_t take = *left > 0 ? TakeRecords(buf.get(), n, delim, left) : n;
    records += *left >= 0 ? before - *left : std::count(buf.get(), buf.get() + n, delim);
    bytes += static_cast<int64_t>(take);
    sink.Write(buf.get(), take);
  }
  std::string why;
  if (!sink.Finish(&why)) {
    Check(reader->Commit(0, 0));
    Fail(why + "; the offsets of group " + opt.group + " on " + topic + "/" +
         std::to_string(partition) + " stay where they were");
  }
  Check(reader->Commit(records, bytes));
  return records;
}

void RunGroupConsume(const ConsumeOptions& opt) {
  if (opt.offset || opt.time_ms || opt.from_beginning) {
    UsageFail(
        "--group reads from the group's committed offset: no --offset, --time or "
        "--from-beginning");
  }
  if (opt.follow && !opt.target.data_dir.empty()) {
    UsageFail("-f follows a live mount: with --data nothing else can append");
  }
  TopicTarget t = OpenTopic(opt.target, OpenMode::kExisting);
  TopicInfo info = Check(t.access->DescribeTopic(t.topic));
  std::vector<int32_t> partitions;
  for (const PartitionInfo& p : info.partitions) {
    if (!opt.partition || p.id == *opt.partition) partitions.push_back(p.id);
  }
  if (partitions.empty()) Fail("no partition " + std::to_string(*opt.partition) + " in " + t.topic);
  int64_t left = opt.count.value_or(-1);
  for (;;) {
    int64_t got = 0;
    for (int32_t p : partitions) {
      if (left == 0) break;
      got += ConsumeGroupPartition(*t.access, t.topic, p, opt, info.delimiter(), &left);
    }
    if (!opt.follow || left == 0) break;
    // Groups are read partition by partition, each taken and let go in
    // turn, so a follower looks again after a pause instead of blocking.
    if (got == 0) std::this_thread::sleep_for(kFollowPoll);
  }
  Check(t.access->Close());
}

}  // namespace

void SetupConsumeCommand(CLI::App& app) {
  auto opt = std::make_shared<ConsumeOptions>();
  CLI::App* cmd = app.add_subcommand("consume", "Write a partition's records to stdout");
  SetExamples(cmd,
              {"topicfs consume ./mnt/orders --from-beginning",
               "topicfs consume ./mnt/orders -p 1 --offset 41234 --count 1",
               "topicfs consume --data ./data orders --time 2026-11-21T10:00:00Z",
               "topicfs consume ./mnt/orders --group billing --exec './bill.sh'",
               "topicfs consume ./mnt/orders --from-beginning -f      # follow, like tail -f"});
  AddTopicArgs(cmd, &opt->target);
  cmd->add_option("-p,--partition", opt->partition, "Partition (default 0)")
      ->check(CLI::Range(0, (1 << 20) - 1));
  cmd->add_option("--offset", opt->offset, "Start at this offset")->check(NonNegative());
  AddTimeOption(cmd, "--time", &opt->time_ms,
                "Start at the first record appended at or after this time");
  cmd->add_flag("--from-beginning", opt->from_beginning, "Start at the log start");
  cmd->add_option("-n,--count", opt->count, "Stop after this many records")->check(NonNegative());
  cmd->add_flag("-f,--follow", opt->follow, "Keep waiting for new records (through a mount)");
  cmd->add_option("-g,--group", opt->group,
                  "Read from this consumer group's committed offset and commit what was written");
  cmd->add_option(
      "--exec", opt->exec,
      "With --group: feed the records to this shell command, commit only if it exits 0");
  cmd->callback([opt] { RunConsume(*opt); });
}

void RunConsume(const ConsumeOptions& opt) {
  if (!opt.exec.empty() && opt.group.empty()) UsageFail("--exec needs --group");
  if (!opt.group.empty()) return RunGroupConsume(opt);
  ReadFrom from = StartOf(opt);
  from.wait_at_end = opt.follow;
  if (opt.follow && !opt.target.data_dir.empty()) {
    UsageFail("-f follows a live mount: with --data the store is opened exclusively and " +
              std::string("nothing else can append; mount it and consume MOUNT/NAME -f"));
  }
  TopicTarget t = OpenTopic(opt.target, OpenMode::kReadOnly);
  const char delim = Check(t.access->DescribeTopic(t.topic)).delimiter();
  std::unique_ptr<RecordReader> reader =
      Check(t.access->OpenReader(t.topic, opt.partition.value_or(0), from));
  int64_t left = opt.count.value_or(-1);
  std::unique_ptr<char[]> buf(new char[kChunkBytes]);
  size_t want = kFirstReadBytes;
  while (left != 0) {
    size_t n = Check(reader->Read(buf.get(), want));
    if (n == 0) {
      // Through follow/<N> the read waited: end of file means the topic was
      // deleted or the mount is going away. since/<T> has no follow/ form,
      // so a follower by time looks again after a pause.
      if (!opt.follow || from.kind != ReadFrom::Kind::kTime) break;
      std::this_thread::sleep_for(kFollowPoll);
      continue;
    }
    want = std::min(want * 2, kChunkBytes);
    size_t out = left > 0 ? TakeRecords(buf.get(), n, delim, &left) : n;
    Check(WriteAll(STDOUT_FILENO, buf.get(), out, "write stdout"));
  }
  reader.reset();
  Check(t.access->Close());
}

}  // namespace topicfs::cli
