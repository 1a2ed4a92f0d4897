#include "cli/verify_command.h"

#include <iostream>
#include <memory>

#include "cli/cli_error.h"

namespace topicfs::cli {

void SetupVerifyCommand(CLI::App& app) {
  auto opt = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand("verify", "Check segments against their hashes and indexes");
  AddStoreArgs(cmd, &opt->store, "STORE", "A mount point or a data directory");
  cmd->callback([opt] { RunVerify(*opt); });
}

void RunVerify(const VerifyOptions& opt) {
  StoreTarget s = OpenStore(opt.store, /*allow_topic=*/false, /*allow_data_dir_path=*/true);
  std::vector<store::VerifyProblem> problems = Check(s.access->Verify());
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
