#include "cli/cli_error.h"

namespace topicfs::cli {

void Fail(std::string message) { throw CommandError(kExitFailure, std::move(message)); }

void UsageFail(std::string message) { throw CommandError(kExitUsage, std::move(message)); }

void Check(const store::Status& status) {
  if (!status.ok()) Fail(status.ToString());
}

}  // namespace topicfs::cli
