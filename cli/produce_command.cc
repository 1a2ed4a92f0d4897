#include "cli/produce_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/fs_util.h"
#include "cli/progress_line.h"

namespace topicfs::cli {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

// A missing topic is created with the default config and enough partitions
// for `partition`, as Kafka's auto.create.topics.enable and `mkdir` do.
void EnsurePartition(StoreAccess& access, const std::string& topic, int32_t partition) {
  store::Result<TopicInfo> info = access.DescribeTopic(topic);
  if (!info.ok() && info.status().Is(store::Code::kNotFound)) {
    Check(access.CreateTopic(topic, partition + 1, {}));
    return;
  }
  Check(info.status());
  if (static_cast<size_t>(partition) >= info->partitions.size()) {
    Fail("topic '" + topic + "' has no partition " + std::to_string(partition) + " (it has " +
         std::to_string(info->partitions.size()) + "; add more with topic alter --partitions)");
  }
}

}  // namespace

void SetupProduceCommand(CLI::App& app) {
  auto opt = std::make_shared<ProduceOptions>();
  CLI::App* cmd = app.add_subcommand("produce", "Append stdin to a partition as records");
  SetExamples(cmd, {"topicfs produce ./mnt/orders < orders.txt",
                    "seq 10 | topicfs produce --data ./data orders --partition 1"});
  AddTopicArgs(cmd, &opt->target);
  cmd->add_option("-p,--partition", opt->partition, "Partition (default 0)")
      ->check(CLI::Range(0, (1 << 20) - 1));
  cmd->callback([opt] { RunProduce(*opt); });
}

void RunProduce(const ProduceOptions& opt) {
  TopicTarget t = OpenTopic(opt.target, OpenMode::kCreate);
  EnsurePartition(*t.access, t.topic, opt.partition);
  std::unique_ptr<RecordWriter> writer = Check(t.access->OpenWriter(t.topic, opt.partition));
  std::unique_ptr<char[]> buf(new char[kChunkBytes]);
  // Progress of a large input (of a file: against its size), not of what
  // someone types.
  ProgressLine line("produce");
  const bool typed = ::isatty(STDIN_FILENO) == 1;
  struct stat st;
  const int64_t total = ::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
  int64_t done = 0;
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf.get(), kChunkBytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) Check(store::Status::ForErrno(errno, "read stdin"));
    if (n == 0) break;
    Check(writer->Write(std::string_view(buf.get(), n)));
    done += n;
    if (!typed) line.Update(done, total, "bytes");
  }
  Check(writer->Close());
  writer.reset();
  Check(t.access->Close());
}

}  // namespace topicfs::cli
