#include "cli/recover_command.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/data_dir_check.h"
#include "cli/progress_line.h"
#include "cli/store_lock.h"
#include "cli/target.h"
#include "store/recovery_reporter.h"
#include "store/store.h"
#include "tier/make_tier.h"

namespace topicfs::cli {
namespace {

// The .log files under DATA/topics: how many the scan will read.
int64_t CountLogs(const std::string& data_dir) {
  int64_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(data_dir + "/topics", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().extension() == ".log") ++n;
  }
  return n;
}

// Prints every repair on stdout and the segments scanned on the progress line.
class PrintingReporter : public store::RecoveryReporter {
 public:
  PrintingReporter(ProgressLine* line, int64_t logs) : line_(line), logs_(logs) {}
  void Scanned(const std::string& /*log_path*/) override {
    line_->Update(++scanned_, logs_, "segments");
  }
  void Cut(const std::string& path, int64_t bytes, std::string_view why) override {
    line_->Clear();
    if (bytes > 0) {
      std::cout << "cut " << bytes << " bytes from " << path << ": " << why << '\n';
    } else {
      std::cout << "rebuilt " << path << ": " << why << '\n';
    }
    ++changes_;
  }
  int changes() const { return changes_; }

 private:
  ProgressLine* const line_;
  const int64_t logs_;
  int64_t scanned_ = 0;
  int changes_ = 0;
};

// Renames DATA/meta to DATA/meta.damaged-<UTC time> and says so.
void MoveDamagedMetaAside(const std::string& data_dir, const store::Status& why) {
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::tm tm;
  ::gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  const std::string from = data_dir + "/meta";
  const std::string to = from + ".damaged-" + stamp;
  if (::rename(from.c_str(), to.c_str()) != 0) {
    Fail("cannot move the damaged " + from + " aside to " + to + ": " + std::strerror(errno));
  }
  std::string reason = why.message();
  if (size_t cut = reason.find(": run `topicfs recover"); cut != std::string::npos) {
    reason.resize(cut);
  }
  std::cout << "moved the damaged " << from << " aside to " << to << " (" << reason
            << "); rebuilding it from the data files\n";
}

}  // namespace

void SetupRecoverCommand(CLI::App& app) {
  auto opt = std::make_shared<RecoverOptions>();
  CLI::App* cmd = app.add_subcommand("recover", "Rebuild indexes and meta/ from the segment files");
  SetExamples(cmd, {"topicfs recover ./data",
                    "topicfs recover ./data --tier s3://logs-archive/topicfs   # the tier's "
                    "catalog too"});
  cmd->add_option("DATA", opt->data_dir, "Data directory of an unmounted store")
      ->required()
      ->type_name("");
  cmd->add_option("--tier", opt->tier,
                  "The remote tier it copies to (s3://BUCKET/PREFIX or file:///PATH): its "
                  "manifests rebuild the remote catalog")
      ->type_name("URI");
  cmd->add_option("--tier-endpoint", opt->tier_endpoint, "S3 endpoint, as -o tier.endpoint")
      ->type_name("URL");
  cmd->add_option("--tier-region", opt->tier_region, "S3 region, as -o tier.region")
      ->type_name("NAME");
  cmd->callback([opt] { RunRecover(*opt); });
}

void RunRecover(const RecoverOptions& opt) {
  RefuseIfMounted(opt.data_dir);
  CheckDataDir(opt.data_dir, /*tighten=*/true);
  std::error_code ec;
  if (!std::filesystem::is_directory(opt.data_dir + "/topics", ec) &&
      !std::filesystem::is_directory(opt.data_dir + "/meta", ec)) {
    Fail("no topicfs store at " + opt.data_dir + " (neither topics/ nor meta/ in it)");
  }
  ProgressLine line("recover");
  PrintingReporter reporter(&line, line.enabled() ? CountLogs(opt.data_dir) : -1);
  store::Store::Options options;
  options.data_dir = opt.data_dir;
  options.create_if_missing = true;  // meta/ may be gone: it is rebuilt
  options.full_recovery = true;
  options.reporter = &reporter;
  options.tier_background = false;
  if (!opt.tier.empty()) {
    options.tier = Check(tier::MakeTier({opt.tier, opt.tier_endpoint, opt.tier_region}));
  }
  // A damaged meta/ is kept aside and rebuilt from the data files, which are
  // the truth (DESIGN §3); another program's RocksDB is refused untouched.
  store::Status meta = store::Store::CheckMetadata(opt.data_dir);
  if (meta.Is(store::Code::kCorruption)) MoveDamagedMetaAside(opt.data_dir, meta);
  auto opened = store::Store::Open(options);
  if (!opened.ok() && opened.status().Is(store::Code::kCorruption) && meta.ok()) {
    MoveDamagedMetaAside(opt.data_dir, opened.status());  // found only by opening it
    opened = store::Store::Open(options);
  }
  if (!opened.ok()) RefuseIfLocked(opt.data_dir, /*exclusive=*/true);  // taken meanwhile
  std::unique_ptr<store::Store> store = Check(std::move(opened));
  size_t topics = store->ListTopics().size();
  Check(store->Close());
  line.Clear();
  std::cout << "recovered " << opt.data_dir << ": " << topics
            << (topics == 1 ? " topic, " : " topics, ") << reporter.changes()
            << (reporter.changes() == 1 ? " change" : " changes") << '\n';
}

}  // namespace topicfs::cli
