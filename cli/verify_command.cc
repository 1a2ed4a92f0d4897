#include "cli/verify_command.h"

#include <iostream>
#include <memory>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "store/recovery.h"

namespace topicfs::cli {
namespace {

// Opening a data directory repairs what it finds wrong (a bad index is
// rebuilt, a torn tail cut); verify reports those as the problems they were.
class RepairCollector : public store::RecoveryReporter {
 public:
  explicit RepairCollector(std::vector<store::VerifyProblem>* problems) : problems_(problems) {}
  void Cut(const std::string& path, int64_t bytes, std::string_view why) override {
    std::string what(why);
    if (bytes > 0) what += " (" + std::to_string(bytes) + " bytes cut)";
    problems_->push_back({path, what + ", repaired when the store was opened"});
  }

 private:
  std::vector<store::VerifyProblem>* problems_;
};

}  // namespace

void SetupVerifyCommand(CLI::App& app) {
  auto opt = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand("verify", "Check segments against their hashes and indexes");
  SetExamples(cmd, {"topicfs verify ./mnt",
                    "topicfs verify ./data            # an unmounted data directory"});
  AddStoreArgs(cmd, &opt->store, "STORE", "A mount point or a data directory");
  cmd->callback([opt] { RunVerify(*opt); });
}

void RunVerify(const VerifyOptions& opt) {
  std::vector<store::VerifyProblem> problems;
  RepairCollector repairs(&problems);
  StoreTarget s = OpenStore(opt.store, /*allow_topic=*/false, /*allow_data_dir_path=*/true,
                            &repairs, OpenMode::kReadOnly);
  for (store::VerifyProblem& p : Check(s.access->Verify())) problems.push_back(std::move(p));
  for (const store::VerifyProblem& p : problems) std::cout << p.path << ": " << p.what << '\n';
  std::cout.flush();
  Check(s.access->Close());
  if (!problems.empty()) {
    Fail(std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems") +
         " in " + s.access->Name());
  }
  std::cout << "no problems in " << s.access->Name() << '\n';
}

}  // namespace topicfs::cli
