#include "cli/consume_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "cli/cli_error.h"
#include "cli/fs_util.h"
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

}  // namespace

void SetupConsumeCommand(CLI::App& app) {
  auto opt = std::make_shared<ConsumeOptions>();
  CLI::App* cmd = app.add_subcommand("consume", "Write a partition's records to stdout");
  AddTopicArgs(cmd, &opt->target);
  cmd->add_option("-p,--partition", opt->partition, "Partition (default 0)")
      ->check(CLI::Range(0, (1 << 20) - 1));
  cmd->add_option("--offset", opt->offset, "Start at this offset")->check(NonNegative());
  AddTimeOption(cmd, "--time", &opt->time_ms,
                "Start at the first record appended at or after this time");
  cmd->add_flag("--from-beginning", opt->from_beginning, "Start at the log start");
  cmd->add_option("-n,--count", opt->count, "Stop after this many records")->check(NonNegative());
  cmd->add_flag("-f,--follow", opt->follow, "Keep waiting for new records (through a mount)");
  cmd->callback([opt] { RunConsume(*opt); });
}

void RunConsume(const ConsumeOptions& opt) {
  ReadFrom from = StartOf(opt);
  if (opt.follow && !opt.target.data_dir.empty()) {
    UsageFail("-f follows a live mount: with --data the store is opened exclusively and " +
              std::string("nothing else can append; mount it and consume MOUNT/NAME -f"));
  }
  TopicTarget t = OpenTopic(opt.target, OpenMode::kReadOnly);
  const char delim = Check(t.access->DescribeTopic(t.topic)).delimiter();
  std::unique_ptr<RecordReader> reader = Check(t.access->OpenReader(t.topic, opt.partition, from));
  int64_t left = opt.count.value_or(-1);
  std::unique_ptr<char[]> buf(new char[kChunkBytes]);
  size_t want = kFirstReadBytes;
  while (left != 0) {
    size_t n = Check(reader->Read(buf.get(), want));
    if (n == 0) {
      if (!opt.follow) break;
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
