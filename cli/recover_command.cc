#include "cli/recover_command.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/cli_error.h"
#include "cli/data_dir_check.h"
#include "cli/store_lock.h"
#include "cli/target.h"
#include "store/recovery.h"
#include "store/store.h"

namespace topicfs::cli {
namespace {

class PrintingReporter : public store::RecoveryReporter {
 public:
  void Cut(const std::string& path, int64_t bytes, std::string_view why) override {
    if (bytes > 0) {
      std::cout << "cut " << bytes << " bytes from " << path << ": " << why << '\n';
    } else {
      std::cout << "rebuilt " << path << ": " << why << '\n';
    }
    ++changes_;
  }
  int changes() const { return changes_; }

 private:
  int changes_ = 0;
};

}  // namespace

void SetupRecoverCommand(CLI::App& app) {
  auto opt = std::make_shared<RecoverOptions>();
  CLI::App* cmd = app.add_subcommand("recover", "Rebuild indexes and meta/ from the segment files");
  cmd->add_option("DATA", opt->data_dir, "Data directory of an unmounted store")
      ->required()
      ->type_name("");
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
  PrintingReporter reporter;
  store::Store::Options options;
  options.data_dir = opt.data_dir;
  options.create_if_missing = true;  // meta/ may be gone: it is rebuilt
  options.full_recovery = true;
  options.reporter = &reporter;
  auto opened = store::Store::Open(options);
  if (!opened.ok()) RefuseIfLocked(opt.data_dir, /*exclusive=*/true);  // taken meanwhile
  std::unique_ptr<store::Store> store = Check(std::move(opened));
  size_t topics = store->ListTopics().size();
  Check(store->Close());
  std::cout << "recovered " << opt.data_dir << ": " << topics
            << (topics == 1 ? " topic, " : " topics, ") << reporter.changes()
            << (reporter.changes() == 1 ? " change" : " changes") << '\n';
}

}  // namespace topicfs::cli
