#include "cli/verify_command.h"

#include <iostream>
#include <memory>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/config_args.h"
#include "cli/progress_line.h"
#include "store/recovery_reporter.h"

namespace topicfs::cli {
namespace {

// Verify opens a data directory read-only: what recovery would repair (a
// torn tail, an index that does not match its log) is reported as found
// and left as it is, so verify changes nothing and says the same each run.
class RepairCollector : public store::RecoveryReporter {
 public:
  explicit RepairCollector(std::vector<store::VerifyProblem>* problems) : problems_(problems) {}
  void Cut(const std::string& path, int64_t bytes, std::string_view why) override {
    std::string what(why);
    if (bytes > 0) what += " (" + std::to_string(bytes) + " bytes past the last whole record)";
    problems_->push_back({path, what + "; left as found: a mount or `topicfs recover` repairs it"});
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
  cmd->add_flag("--json", opt->json,
                "One JSON object: store, ok, problems (each a path and what is wrong)");
  cmd->callback([opt] { RunVerify(*opt); });
}

void RunVerify(const VerifyOptions& opt) {
  std::vector<store::VerifyProblem> problems;
  RepairCollector repairs(&problems);
  StoreTarget s = OpenStore(opt.store, /*allow_topic=*/false, /*allow_data_dir_path=*/true,
                            &repairs, OpenMode::kReadOnly);
  {
    ProgressLine line("verify");
    for (store::VerifyProblem& p : Check(s.access->Verify(
             [&](int64_t done, int64_t total) { line.Update(done, total, "bytes"); }))) {
      problems.push_back(std::move(p));
    }
  }
  if (opt.json) {
    const std::string& named = opt.store.data_dir.empty() ? opt.store.path : opt.store.data_dir;
    std::cout << "{\"store\":" << JsonString(named)
              << ",\"ok\":" << (problems.empty() ? "true" : "false") << ",\"problems\":[";
    for (size_t i = 0; i < problems.size(); ++i) {
      std::cout << (i ? "," : "") << "{\"path\":" << JsonString(problems[i].path)
                << ",\"what\":" << JsonString(problems[i].what) << "}";
    }
    std::cout << "]}\n";
  } else {
    for (const store::VerifyProblem& p : problems) std::cout << p.path << ": " << p.what << '\n';
  }
  std::cout.flush();
  Check(s.access->Close());
  if (!problems.empty()) {
    Fail(std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems") +
         " in " + s.access->Name());
  }
  if (!opt.json) std::cout << "no problems in " << s.access->Name() << '\n';
}

}  // namespace topicfs::cli
