#include "store/topic_trash.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <set>
#include <vector>

#include "store/clock.h"
#include "store/data_dir.h"
#include "store/file_io.h"

namespace topicfs::store {
namespace {

std::string TrashDir(const std::string& data_dir) { return data_dir + "/trash"; }
std::string TopicPath(const std::string& data_dir, std::string_view topic) {
  return data_dir + "/topics/" + std::string(topic);
}

// "<n>.<topic>": n is unique in this process and across restarts (the time
// in milliseconds, then a counter), and the topic follows the first dot.
std::string UniqueEntry(std::string_view topic) {
  static std::atomic<uint64_t> counter{0};
  return std::to_string(NowMs()) + "-" + std::to_string(counter.fetch_add(1)) + "." +
         std::string(topic);
}

std::string TopicOfEntry(const std::string& entry) {
  size_t dot = entry.find('.');
  return dot == std::string::npos ? "" : entry.substr(dot + 1);
}

}  // namespace

Result<std::string> MoveTopicToTrash(Env& env, const std::string& data_dir,
                                     std::string_view topic) {
  const std::string trash = TrashDir(data_dir);
  if (::mkdir(trash.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
    return Status::FromErrno(errno, "mkdir " + trash);
  }
  const std::string from = TopicPath(data_dir, topic);
  const std::string to = trash + "/" + UniqueEntry(topic);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status::FromErrno(errno, "rename " + from + " to " + to);
  }
  // Durable before the metadata goes: otherwise a crash could bring the
  // directory back under topics/ without metadata, and it would be adopted.
  TOPICFS_RETURN_IF_ERROR(SyncDir(env, data_dir + "/topics"));
  TOPICFS_RETURN_IF_ERROR(SyncDir(env, trash));
  return to;
}

Status RestoreTopicFromTrash(Env& env, const std::string& data_dir, std::string_view topic,
                             const std::string& trash_path) {
  const std::string to = TopicPath(data_dir, topic);
  if (::rename(trash_path.c_str(), to.c_str()) != 0) {
    return Status::FromErrno(errno, "rename " + trash_path + " to " + to);
  }
  return SyncDir(env, data_dir + "/topics");
}

Status RemoveTrash(const std::string& trash_path) {
  std::error_code ec;
  std::filesystem::remove_all(trash_path, ec);
  if (ec) return Status::IOError("remove " + trash_path + ": " + ec.message());
  return Status::OK();
}

Status FinishInterruptedDeletions(const std::string& data_dir, Metadata& meta) {
  const std::string trash = TrashDir(data_dir);
  DIR* d = ::opendir(trash.c_str());
  if (d == nullptr) return Status::OK();  // no deletion ever ran
  std::vector<std::string> entries;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") entries.push_back(name);
  }
  ::closedir(d);
  if (entries.empty()) return Status::OK();
  auto records = meta.ListTopics();
  if (!records.ok()) return records.status();
  std::set<std::string> with_metadata;
  for (auto& [name, record] : *records) with_metadata.insert(name);
  for (const std::string& entry : entries) {
    const std::string topic = TopicOfEntry(entry);
    if (with_metadata.count(topic) && ::access(TopicPath(data_dir, topic).c_str(), F_OK) != 0) {
      Metadata::Batch batch(&meta);
      batch.DeleteTopic(topic);
      TOPICFS_RETURN_IF_ERROR(meta.Commit(batch, /*sync=*/true));
    }
    TOPICFS_RETURN_IF_ERROR(RemoveTrash(trash + "/" + entry));
  }
  return Status::OK();
}

}  // namespace topicfs::store
