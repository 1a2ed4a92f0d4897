// How a command names what it works on (DESIGN §5): TOPIC is MOUNT/NAME (a
// path inside a live mount) or `--data DIR NAME`; STORE is a mount point or
// `--data DIR`. Resolves either into a StoreAccess; the data directory of a
// mounted store is refused (exit 2) with where it is mounted.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "cli/store_access.h"
#include "store/recovery_reporter.h"

namespace topicfs::cli {

struct TopicArgs {
  std::string data_dir;  // --data DIR
  std::string topic;     // MOUNT/NAME, or NAME with --data
};

struct StoreArgs {
  std::string data_dir;  // --data DIR
  std::string path;      // a mount point (or a topic in it, where allowed)
};

// Adds `--data DIR` and the required TOPIC argument.
void AddTopicArgs(CLI::App* cmd, TopicArgs* args);
// Adds `--data DIR` and an optional positional named `positional`.
void AddStoreArgs(CLI::App* cmd, StoreArgs* args, const std::string& positional,
                  const std::string& help);

enum class OpenMode {
  kExisting,  // the store must exist
  kCreate,    // `--data DIR` creates DIR and the store when missing
  kReadOnly,  // the store must exist; nothing in DIR is created or changed
};

struct TopicTarget {
  std::unique_ptr<StoreAccess> access;
  std::string topic;
};
TopicTarget OpenTopic(const TopicArgs& args, OpenMode mode);

struct StoreTarget {
  std::unique_ptr<StoreAccess> access;
  std::optional<std::string> topic;  // when the argument named a topic
};
// With `allow_topic`, the argument may name one topic (MOUNT/NAME, or NAME
// with --data); with `allow_data_dir_path`, it may be a data directory.
// `reporter` (borrowed, may be null) hears what opening a data directory
// repaired.
StoreTarget OpenStore(const StoreArgs& args, bool allow_topic, bool allow_data_dir_path,
                      store::RecoveryReporter* reporter = nullptr,
                      OpenMode mode = OpenMode::kExisting);

// Opens an unmounted data directory; UsageFail when it is mounted.
std::unique_ptr<StoreAccess> OpenDataDir(const std::string& data_dir, OpenMode mode,
                                         store::RecoveryReporter* reporter = nullptr);
// UsageFail naming the mount point when `data_dir` is mounted; Fail when
// another process holds its lock (only an exclusive one when `exclusive`
// is false: commands that only read may run side by side).
void RefuseIfMounted(const std::string& data_dir, bool exclusive = true);

}  // namespace topicfs::cli
