#include "cli/target.h"

#include <filesystem>

#include "cli/cli_error.h"
#include "cli/data_dir_check.h"
#include "cli/direct_access.h"
#include "cli/mount_access.h"
#include "cli/mounts.h"
#include "cli/store_lock.h"
#include "store/names.h"

namespace topicfs::cli {
namespace {

std::string ValidTopicName(const std::string& name) {
  if (!store::IsValidTopicName(name)) {
    UsageFail("invalid topic name '" + name +
              "': 1 to 249 characters of [A-Za-z0-9._-], not . or ..");
  }
  return name;
}

// "./mnt/orders/" -> {"./mnt", "orders"}; "orders" -> {".", "orders"}, so a
// bare name works from inside the mount point. A path that ends in "." or
// ".." (`topic describe .` from inside the topic) is made absolute and
// normal first, as a shell user means it.
std::pair<std::string, std::string> SplitPath(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.rfind('/');
  const std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  if (last == "." || last == "..") {
    std::error_code ec;
    std::filesystem::path normal = std::filesystem::absolute(path, ec).lexically_normal();
    if (ec) return {"", path};
    std::string p = normal.string();
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (p == "/") return {"", path};
    return SplitPath(p);
  }
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

bool LooksLikeDataDir(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path + "/meta", ec);
}

}  // namespace

void AddTopicArgs(CLI::App* cmd, TopicArgs* args) {
  cmd->add_option("--data", args->data_dir, "Data directory of an unmounted store")
      ->type_name("DIR");
  cmd->add_option("TOPIC", args->topic, "MOUNT/NAME, or NAME with --data")
      ->required()
      ->type_name("");
}

void AddStoreArgs(CLI::App* cmd, StoreArgs* args, const std::string& positional,
                  const std::string& help) {
  cmd->add_option("--data", args->data_dir, "Data directory of an unmounted store")
      ->type_name("DIR");
  cmd->add_option(positional, args->path, help)->type_name("");
}

void RefuseIfMounted(const std::string& data_dir, bool exclusive) {
  if (std::optional<MountEntry> m = FindMountOfData(data_dir)) {
    FailMounted(data_dir, m->mount_point);
  }
  RefuseIfLocked(data_dir, exclusive);
}

std::unique_ptr<StoreAccess> OpenDataDir(const std::string& data_dir, OpenMode mode,
                                         store::RecoveryReporter* reporter) {
  const bool read_only = mode == OpenMode::kReadOnly;
  RefuseIfMounted(data_dir, /*exclusive=*/!read_only);
  CheckDataDir(data_dir, /*tighten=*/mode == OpenMode::kCreate);
  auto opened = DirectAccess::Open(data_dir, mode == OpenMode::kCreate, reporter, read_only);
  if (!opened.ok()) RefuseIfLocked(data_dir, /*exclusive=*/!read_only);  // taken meanwhile
  return Check(std::move(opened));
}

TopicTarget OpenTopic(const TopicArgs& args, OpenMode mode) {
  if (!args.data_dir.empty()) {
    std::string name = ValidTopicName(args.topic);
    return {OpenDataDir(args.data_dir, mode), name};
  }
  auto [parent, name] = SplitPath(args.topic);
  std::optional<MountEntry> mount = parent.empty() ? std::nullopt : FindMountAt(parent);
  if (!mount) {
    UsageFail("'" + args.topic + "' is not a topic in a topicfs mount: name it as MOUNT/NAME, " +
              "or as --data DIR NAME for an unmounted store");
  }
  ValidTopicName(name);
  return {std::make_unique<MountAccess>(parent, mount->source), name};
}

StoreTarget OpenStore(const StoreArgs& args, bool allow_topic, bool allow_data_dir_path,
                      store::RecoveryReporter* reporter, OpenMode mode) {
  StoreTarget target;
  if (!args.data_dir.empty()) {
    if (!args.path.empty()) {
      if (!allow_topic) UsageFail("unexpected argument '" + args.path + "' with --data");
      target.topic = ValidTopicName(args.path);
    }
    target.access = OpenDataDir(args.data_dir, mode, reporter);
    return target;
  }
  if (args.path.empty()) UsageFail("name a store: a mount point, or --data DIR");
  if (std::optional<MountEntry> m = FindMountAt(args.path)) {
    target.access = std::make_unique<MountAccess>(args.path, m->source);
    return target;
  }
  if (allow_topic) {
    auto [parent, name] = SplitPath(args.path);
    std::optional<MountEntry> m = parent.empty() ? std::nullopt : FindMountAt(parent);
    if (m) {
      target.topic = ValidTopicName(name);
      target.access = std::make_unique<MountAccess>(parent, m->source);
      return target;
    }
  }
  if (allow_data_dir_path && LooksLikeDataDir(args.path)) {
    target.access = OpenDataDir(args.path, mode, reporter);
    return target;
  }
  UsageFail("'" + args.path + "' is not a topicfs mount point" +
            (allow_topic ? " or a topic in one" : "") + ": for an unmounted store use --data DIR");
}

}  // namespace topicfs::cli
