#include "cli/mount_access.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "cli/fs_util.h"
#include "store/facts.h"
#include "store/names.h"
#include "store/topic_config.h"

namespace topicfs::cli {
namespace {

using store::Result;
using store::Status;

// Appends through one O_APPEND handle on <p>/current: the daemon assembles
// records across writes and ends a trailing partial one at close().
class MountWriter : public RecordWriter {
 public:
  MountWriter(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~MountWriter() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Write(std::string_view chunk) override {
    Status s = WriteAll(fd_, chunk.data(), chunk.size(), "append to " + path_);
    if (s.Is(store::Code::kMessageTooLarge)) {
      return Status::MessageTooLarge("a record is longer than max.message.bytes of " + path_ +
                                     "; none of it was appended");
    }
    return s;
  }
  Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return store::Status::ForErrno(errno, "close " + path_);
    return Status::OK();
  }

 private:
  int fd_;
  std::string path_;
};

// Reads from/<N> or since/<T>, a file that grows as records are appended.
class MountReader : public RecordReader {
 public:
  MountReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~MountReader() override { ::close(fd_); }
  Result<size_t> Read(char* buf, size_t len) override {
    ssize_t n;
    do {
      n = ::pread(fd_, buf, len, pos_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return store::Status::ForErrno(errno, "read " + path_);
    if (n == 0) {
      // Refreshes the size the kernel holds, so the next read sees appends.
      struct stat st;
      (void)::fstat(fd_, &st);
    }
    pos_ += n;
    return static_cast<size_t>(n);
  }

 private:
  int fd_;
  std::string path_;
  int64_t pos_ = 0;
};

// A getxattr that found no such attribute (ENODATA): a group without a
// committed offset on that partition.
bool NoAttribute(const Status& s) { return store::ToErrno(s) == ENODATA; }

// A group through the mount. groups/<g> is held open from the start (the
// group is this process's), the records are read through from/<start>,
// and a commit reads the same bytes through groups/<g> before closing it:
// the daemon commits what that handle returned, at its close().
class MountGroupReader : public GroupReader {
 public:
  MountGroupReader(int group_fd, std::string group_path, std::unique_ptr<RecordReader> records)
      : group_fd_(group_fd), group_path_(std::move(group_path)), records_(std::move(records)) {}
  ~MountGroupReader() override {
    if (group_fd_ >= 0) ::close(group_fd_);
  }
  Result<size_t> Read(char* buf, size_t len) override { return records_->Read(buf, len); }
  Status Commit(int64_t /*records*/, int64_t bytes) override {
    char buf[64 << 10];
    while (bytes > 0) {
      ssize_t n = ::read(group_fd_, buf, static_cast<size_t>(std::min<int64_t>(bytes, sizeof buf)));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::ForErrno(errno, "read " + group_path_);
      if (n == 0) return Status::IOError(group_path_ + " ended before what was read was committed");
      bytes -= n;
    }
    int fd = group_fd_;
    group_fd_ = -1;
    if (::close(fd) != 0) return Status::ForErrno(errno, "commit (close) " + group_path_);
    return Status::OK();
  }

 private:
  int group_fd_;
  std::string group_path_;
  std::unique_ptr<RecordReader> records_;
};

}  // namespace

std::string MountAccess::TopicDir(std::string_view topic) const {
  std::string dir = mount_point_;
  if (dir.empty() || dir.back() != '/') dir += '/';
  return dir + std::string(topic);
}

std::string MountAccess::PartitionDir(std::string_view topic, int32_t partition) const {
  return TopicDir(topic) + "/" + std::to_string(partition);
}

Status MountAccess::CheckTopic(std::string_view topic) const {
  if (!store::IsValidTopicName(topic) || !IsDirectory(TopicDir(topic))) {
    return Status::NotFound("no topic '" + std::string(topic) + "' in " + Name());
  }
  return Status::OK();
}

Status MountAccess::CheckPartition(std::string_view topic, int32_t partition) const {
  TOPICFS_RETURN_IF_ERROR(CheckTopic(topic));
  if (!IsDirectory(PartitionDir(topic, partition))) {
    Result<std::vector<int32_t>> ids = ListPartitionIds(TopicDir(topic));
    return Status::NotFound("topic '" + std::string(topic) + "' has no partition " +
                            std::to_string(partition) + " (it has " +
                            std::to_string(ids.ok() ? ids->size() : 0) + ")");
  }
  return Status::OK();
}

Status MountAccess::CreateTopic(std::string_view topic, int32_t partitions,
                                const std::vector<ConfigChange>& configs) {
  const std::string dir = TopicDir(topic);
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) {
      return Status::AlreadyExists("topic '" + std::string(topic) + "' already exists in " +
                                   Name());
    }
    return store::Status::ForErrno(errno, "mkdir " + dir);
  }
  for (const ConfigChange& c : configs) {
    Status s = SetXattr(dir, TopicfsXattr(c.name), c.value);
    if (!s.ok()) {
      (void)::rmdir(dir.c_str());  // empty: the topic goes again
      return s;
    }
  }
  for (int32_t p = 1; p < partitions; ++p) {
    const std::string pdir = PartitionDir(topic, p);
    if (::mkdir(pdir.c_str(), 0755) != 0) return store::Status::ForErrno(errno, "mkdir " + pdir);
  }
  return Status::OK();
}

Result<std::vector<std::string>> MountAccess::ListTopics() {
  Result<std::vector<std::string>> names = ListDir(mount_point_);
  if (!names.ok()) return names.status();
  std::vector<std::string> topics;
  for (std::string& name : *names) {
    if (store::IsValidTopicName(name) && IsDirectory(TopicDir(name))) {
      topics.push_back(std::move(name));
    }
  }
  return topics;
}

Result<PartitionInfo> MountAccess::ReadPartition(std::string_view topic, int32_t partition) const {
  const std::string dir = PartitionDir(topic, partition);
  PartitionInfo info;
  info.id = partition;
  struct Fact {
    std::string_view name;
    int64_t* out;
  } facts[] = {{store::facts::kLogStartOffset, &info.log_start_offset},
               {store::facts::kLogEndOffset, &info.log_end_offset},
               {store::facts::kSizeBytes, &info.size_bytes},
               {store::facts::kSegmentCount, &info.segment_count}};
  for (const Fact& f : facts) {
    Result<int64_t> v = GetXattrInt(dir, TopicfsXattr(f.name));
    if (!v.ok()) return v.status();
    *f.out = *v;
  }
  Result<std::string> error = GetXattr(dir, TopicfsXattr(store::facts::kError));
  if (error.ok()) info.error = *error;  // absent while the partition works
  return info;
}

Result<TopicInfo> MountAccess::DescribeTopic(std::string_view topic) {
  TOPICFS_RETURN_IF_ERROR(CheckTopic(topic));
  const std::string dir = TopicDir(topic);
  TopicInfo info;
  info.name = std::string(topic);
  for (const store::ConfigSpec& spec : store::AllConfigSpecs()) {
    Result<std::string> text = GetXattr(dir, TopicfsXattr(spec.name));
    if (!text.ok()) return text.status();
    Result<int64_t> value = store::ParseConfigValue(spec, *text);
    if (!value.ok()) return value.status();
    info.configs.push_back({std::string(spec.name), store::FormatConfigValue(spec, *value),
                            *value == spec.default_value});
  }
  Result<std::vector<int32_t>> ids = ListPartitionIds(dir);
  if (!ids.ok()) return ids.status();
  for (int32_t id : *ids) {
    Result<PartitionInfo> p = ReadPartition(topic, id);
    if (!p.ok()) return p.status();
    info.partitions.push_back(*p);
  }
  return info;
}

Status MountAccess::SetPartitionCount(std::string_view topic, int32_t count) {
  TOPICFS_RETURN_IF_ERROR(CheckTopic(topic));
  Result<std::vector<int32_t>> ids = ListPartitionIds(TopicDir(topic));
  if (!ids.ok()) return ids.status();
  const int32_t current = static_cast<int32_t>(ids->size());
  if (count < current) {
    return Status::InvalidArgument("topic '" + std::string(topic) + "' has " +
                                   std::to_string(current) +
                                   " partitions; partitions can be added, never removed");
  }
  for (int32_t p = current; p < count; ++p) {
    const std::string pdir = PartitionDir(topic, p);
    if (::mkdir(pdir.c_str(), 0755) != 0) return store::Status::ForErrno(errno, "mkdir " + pdir);
  }
  return Status::OK();
}

Status MountAccess::SetConfig(std::string_view topic, const ConfigChange& change) {
  TOPICFS_RETURN_IF_ERROR(CheckTopic(topic));
  Status s = SetXattr(TopicDir(topic), TopicfsXattr(change.name), change.value);
  if (s.Is(store::Code::kPermission) && change.name == "record.delimiter") {
    return Status::Permission("record.delimiter of '" + std::string(topic) +
                              "' cannot change once the topic holds a record");
  }
  return s;
}

Status MountAccess::UnsetConfig(std::string_view topic, std::string_view config) {
  TOPICFS_RETURN_IF_ERROR(CheckTopic(topic));
  return RemoveXattr(TopicDir(topic), TopicfsXattr(config));
}

Status MountAccess::DeleteTopic(std::string_view topic) {
  TOPICFS_RETURN_IF_ERROR(CheckTopic(topic));
  // The daemon deletes on this write-only attribute, whose value names the
  // topic again (docs/SEMANTICS.md, "Deleting a topic"); rmdir would refuse
  // a topic with records.
  const std::string dir = TopicDir(topic);
  Status s = SetXattr(dir, TopicfsXattr(store::facts::kDelete), std::string(topic));
  if (s.Is(store::Code::kPermission)) {
    return Status::Permission("only the owner of topic '" + std::string(topic) +
                              "' or root may delete it (" + s.message() + ")");
  }
  TOPICFS_RETURN_IF_ERROR(s);
  // The daemon tells the kernel the name went from its own thread, a moment
  // after the reply: wait for it, so `delete && mkdir` makes the topic anew
  // instead of meeting the kernel's cached entry (EEXIST).
  struct stat st;
  for (int i = 0; i < 500 && ::lstat(dir.c_str(), &st) == 0; ++i) ::usleep(10'000);
  return Status::OK();
}

Result<std::unique_ptr<RecordWriter>> MountAccess::OpenWriter(std::string_view topic,
                                                              int32_t partition) {
  TOPICFS_RETURN_IF_ERROR(CheckPartition(topic, partition));
  std::string path = PartitionDir(topic, partition) + "/current";
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return store::Status::ForErrno(errno, "open " + path);
  return std::unique_ptr<RecordWriter>(new MountWriter(fd, path));
}

Result<std::unique_ptr<RecordReader>> MountAccess::OpenReader(std::string_view topic,
                                                              int32_t partition,
                                                              const ReadFrom& from) {
  TOPICFS_RETURN_IF_ERROR(CheckPartition(topic, partition));
  const std::string dir = PartitionDir(topic, partition);
  auto open_reader = [](const std::string& path) -> Result<std::unique_ptr<RecordReader>> {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return store::Status::ForErrno(errno, "open " + path);
    return std::unique_ptr<RecordReader>(new MountReader(fd, path));
  };
  switch (from.kind) {
    case ReadFrom::Kind::kTime:
      return open_reader(dir + "/since/" + std::to_string(from.value));
    case ReadFrom::Kind::kOffset: {
      auto reader = open_reader(dir + (from.wait_at_end ? "/follow/" : "/from/") +
                                std::to_string(from.value));
      if (reader.ok() || !reader.status().Is(store::Code::kNotFound)) return reader;
      Result<PartitionInfo> info = ReadPartition(topic, partition);
      if (!info.ok()) return info.status();
      return OffsetOutOfRange(TopicPath(topic), partition, from.value, info->log_start_offset,
                              info->log_end_offset);
    }
    case ReadFrom::Kind::kBeginning:
      break;
  }
  // Retention may move the log start between the lookup and the open.
  for (int attempt = 0;; ++attempt) {
    Result<int64_t> start = GetXattrInt(dir, TopicfsXattr(store::facts::kLogStartOffset));
    if (!start.ok()) return start.status();
    auto reader = open_reader(dir + (from.wait_at_end ? "/follow/" : "/from/") +
                              std::to_string(*start));
    if (reader.ok() || !reader.status().Is(store::Code::kNotFound) || attempt == 9) {
      return reader;
    }
  }
}

Result<std::vector<store::CommittedOffset>> MountAccess::ListGroupOffsets(std::string_view topic) {
  Result<std::vector<int32_t>> ids = ListPartitionIds(TopicDir(topic));
  if (!ids.ok()) return ids.status();
  std::vector<store::CommittedOffset> out;
  for (int32_t p : *ids) {
    const std::string groups = PartitionDir(topic, p) + "/groups";
    Result<std::vector<std::string>> names = ListDir(groups);
    if (!names.ok()) return names.status();
    for (const std::string& g : *names) {
      Result<int64_t> offset = GetXattrInt(groups + "/" + g, TopicfsXattr(store::facts::kCommittedOffset));
      if (!offset.ok() && NoAttribute(offset.status())) continue;  // forgotten since
      if (!offset.ok()) return offset.status();
      out.push_back(store::CommittedOffset{g, p, *offset, 0});
    }
  }
  return out;
}

Status MountAccess::SetGroupOffset(std::string_view topic, int32_t partition,
                                   std::string_view group, int64_t offset) {
  TOPICFS_RETURN_IF_ERROR(CheckPartition(topic, partition));
  return SetXattr(PartitionDir(topic, partition) + "/groups/" + std::string(group),
                  TopicfsXattr(store::facts::kCommittedOffset), std::to_string(offset));
}

Status MountAccess::DeleteGroupOffset(std::string_view topic, int32_t partition,
                                      std::string_view group) {
  TOPICFS_RETURN_IF_ERROR(CheckPartition(topic, partition));
  const std::string path = PartitionDir(topic, partition) + "/groups/" + std::string(group);
  if (::unlink(path.c_str()) != 0) return Status::ForErrno(errno, "rm " + path);
  return Status::OK();
}

Result<std::unique_ptr<GroupReader>> MountAccess::OpenGroupReader(std::string_view topic,
                                                                  int32_t partition,
                                                                  std::string_view group) {
  TOPICFS_RETURN_IF_ERROR(CheckPartition(topic, partition));
  if (!store::IsValidTopicName(group)) {
    return Status::InvalidArgument("invalid group name '" + std::string(group) +
                                   "': use 1-249 characters of [A-Za-z0-9._-]");
  }
  const std::string dir = PartitionDir(topic, partition);
  const std::string path = dir + "/groups/" + std::string(group);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::ForErrno(errno, "open " + path);
  auto close_group = [fd] { ::close(fd); };
  // Where the handle starts: the committed offset, or the log start.
  Result<int64_t> start = GetXattrInt(path, TopicfsXattr(store::facts::kCommittedOffset));
  if (!start.ok() && NoAttribute(start.status())) {
    start = GetXattrInt(dir, TopicfsXattr(store::facts::kLogStartOffset));
  }
  if (!start.ok()) {
    close_group();
    return start.status();
  }
  Result<std::unique_ptr<RecordReader>> records =
      OpenReader(topic, partition, ReadFrom{ReadFrom::Kind::kOffset, *start});
  if (!records.ok() && records.status().Is(store::Code::kOutOfRange)) {
    records = OpenReader(topic, partition, ReadFrom{ReadFrom::Kind::kBeginning, 0});
  }
  if (!records.ok()) {
    close_group();
    return records.status();
  }
  return std::unique_ptr<GroupReader>(new MountGroupReader(fd, path, std::move(*records)));
}

}  // namespace topicfs::cli
