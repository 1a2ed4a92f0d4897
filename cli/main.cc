// The `topicfs` binary: one CLI11 app, one file per command group.
#include <sys/stat.h>

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/consume_command.h"
#include "cli/dump_command.h"
#include "cli/group_command.h"
#include "cli/mount_command.h"
#include "cli/produce_command.h"
#include "cli/recover_command.h"
#include "cli/retention_command.h"
#include "cli/topic_command.h"
#include "cli/status_command.h"
#include "cli/tier_command.h"
#include "cli/verify_command.h"

int main(int argc, char** argv) {
  // Nothing this binary creates under DATA (RocksDB's files included) is
  // readable by other users (DESIGN §3), whatever the caller's umask.
  ::umask(077);
  CLI::App app{"topicfs: a Kafka-style append-only log store as a filesystem", "topicfs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "topicfs " TOPICFS_VERSION, "Print the version and exit");
  topicfs::cli::SetupMountCommands(app);
  topicfs::cli::SetupTopicCommand(app);
  topicfs::cli::SetupRetentionCommand(app);
  topicfs::cli::SetupProduceCommand(app);
  topicfs::cli::SetupConsumeCommand(app);
  topicfs::cli::SetupGroupCommand(app);
  topicfs::cli::SetupDumpCommand(app);
  topicfs::cli::SetupVerifyCommand(app);
  topicfs::cli::SetupTierCommand(app);
  topicfs::cli::SetupStatusCommand(app);
  topicfs::cli::SetupRecoverCommand(app);
  return topicfs::cli::ParseAndRun(app, argc, argv);
}
