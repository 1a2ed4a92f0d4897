#include "cli/direct_access.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "cli/store_lock.h"
#include "store/clock.h"
#include "store/partition_reader.h"
#include "store/record_assembler.h"
#include "store/topic_config.h"

namespace topicfs::cli {
namespace {

using store::Result;
using store::Status;

class DirectWriter : public RecordWriter {
 public:
  explicit DirectWriter(std::shared_ptr<store::Partition> partition)
      : assembler_(std::move(partition)) {}

  Status Write(std::string_view chunk) override {
    while (!chunk.empty()) {
      Result<size_t> taken = assembler_.Write(chunk);
      if (!taken.ok()) return taken.status();
      if (*taken == 0) return Status::IOError("the store accepted no bytes");
      chunk.remove_prefix(*taken);
    }
    return Status::OK();
  }
  Status Close() override { return assembler_.Flush(); }

 private:
  store::RecordAssembler assembler_;
};

// Streams a partition through a store::PartitionReader, which crosses
// rolls and keeps reading what retention deletes under it.
class DirectReader : public RecordReader {
 public:
  explicit DirectReader(std::unique_ptr<store::PartitionReader> reader)
      : reader_(std::move(reader)) {}

  Result<size_t> Read(char* buf, size_t len) override {
    Result<size_t> n = reader_->ReadAt(pos_, buf, len);
    if (n.ok()) pos_ = pos_ + static_cast<int64_t>(*n);
    return n;
  }
  store::PartitionReader& reader() { return *reader_; }

 private:
  std::unique_ptr<store::PartitionReader> reader_;
  store::ReadPosition pos_;
};

// A group's reader: holds the group, reads through a PartitionReader and
// commits through the store.
class DirectGroupReader : public GroupReader {
 public:
  DirectGroupReader(store::Store* store, std::unique_ptr<store::ConsumerGroups::Claim> claim,
                    std::unique_ptr<store::PartitionReader> reader, std::string group)
      : store_(store),
        claim_(std::move(claim)),
        reader_(std::move(reader)),
        group_(std::move(group)) {}

  Result<size_t> Read(char* buf, size_t len) override { return reader_.Read(buf, len); }
  Status Commit(int64_t records, int64_t /*bytes*/) override {
    Status s;
    if (records > 0) {
      store::Partition& p = reader_.reader().partition();
      s = store_->groups().Commit(p, group_, reader_.reader().start_offset() + records,
                                  store::NowMs());
    }
    claim_.reset();
    return s;
  }

 private:
  store::Store* store_;
  std::unique_ptr<store::ConsumerGroups::Claim> claim_;
  DirectReader reader_;
  std::string group_;
};

}  // namespace

Result<std::unique_ptr<DirectAccess>> DirectAccess::Open(const std::string& data_dir, bool create,
                                                         store::RecoveryReporter* reporter,
                                                         bool read_only) {
  std::error_code ec;
  if (create) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return Status::FromErrno(ec.value(), "create " + data_dir);
  } else if (!std::filesystem::is_directory(data_dir, ec)) {
    return Status::NotFound("no topicfs store at " + data_dir + " (no such directory)");
  } else if (!std::filesystem::exists(data_dir + "/meta", ec)) {
    return Status::NotFound("no topicfs store at " + data_dir + " (no meta/ in it)");
  }
  // Closing any descriptor of LOCK would drop the lock: it is taken here
  // (LockShared ends the command when a writer holds it) and kept.
  int lock_fd = read_only ? LockShared(data_dir) : -1;
  store::Store::Options options;
  options.data_dir = data_dir;
  options.create_if_missing = create;
  options.reporter = reporter;
  options.read_only = read_only;
  Result<std::unique_ptr<store::Store>> opened = store::Store::Open(options);
  if (!opened.ok()) {
    if (lock_fd >= 0) ::close(lock_fd);
    return opened.status();
  }
  auto access =
      std::unique_ptr<DirectAccess>(new DirectAccess(data_dir, std::move(opened).value()));
  access->lock_fd_ = lock_fd;
  return access;
}

DirectAccess::~DirectAccess() {
  store_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::shared_ptr<store::Topic>> DirectAccess::Topic(std::string_view topic) const {
  std::shared_ptr<store::Topic> t = store_->FindTopic(topic);
  if (t == nullptr) {
    return Status::NotFound("no topic '" + std::string(topic) + "' in " + Name());
  }
  return t;
}

Result<std::shared_ptr<store::Partition>> DirectAccess::Partition(std::string_view topic,
                                                                  int32_t partition) const {
  Result<std::shared_ptr<store::Topic>> t = Topic(topic);
  if (!t.ok()) return t.status();
  std::shared_ptr<store::Partition> p = (*t)->partition(partition);
  if (p == nullptr) {
    return Status::NotFound("topic '" + std::string(topic) + "' has no partition " +
                            std::to_string(partition) + " (it has " +
                            std::to_string((*t)->partition_count()) + ")");
  }
  return p;
}

Status DirectAccess::CreateTopic(std::string_view topic, int32_t partitions,
                                 const std::vector<ConfigChange>& configs) {
  if (store_->FindTopic(topic) != nullptr) {
    return Status::AlreadyExists("topic '" + std::string(topic) + "' already exists in " + Name());
  }
  store::TopicConfig config;
  for (const ConfigChange& c : configs) TOPICFS_RETURN_IF_ERROR(config.Set(c.name, c.value));
  // As a mount run by this user shows a topic it did not make: this user, 0755.
  const store::Ownership owner{0755, static_cast<uint32_t>(::geteuid()),
                               static_cast<uint32_t>(::getegid())};
  return store_->CreateTopic(topic, partitions, config, owner);
}

Result<std::vector<std::string>> DirectAccess::ListTopics() { return store_->ListTopics(); }

Result<TopicInfo> DirectAccess::DescribeTopic(std::string_view topic) {
  Result<std::shared_ptr<store::Topic>> t = Topic(topic);
  if (!t.ok()) return t.status();
  TopicInfo info;
  info.name = std::string(topic);
  store::TopicConfig config = (*t)->config();
  for (const store::ConfigSpec& spec : store::AllConfigSpecs()) {
    int64_t value = config.Value(spec.key);
    info.configs.push_back({std::string(spec.name), store::FormatConfigValue(spec, value),
                            value == spec.default_value});
  }
  for (const std::shared_ptr<store::Partition>& p : (*t)->partitions()) {
    const store::Status failure = p->failure();
    info.partitions.push_back({p->id(), p->log_start_offset(), p->log_end_offset(), p->size_bytes(),
                               p->segment_count(),
                               failure.ok() ? std::string() : failure.ToString()});
  }
  return info;
}

Status DirectAccess::SetPartitionCount(std::string_view topic, int32_t count) {
  return store_->SetPartitionCount(topic, count);
}

Status DirectAccess::SetConfig(std::string_view topic, const ConfigChange& change) {
  return store_->SetTopicConfig(topic, change.name, change.value);
}

Status DirectAccess::UnsetConfig(std::string_view topic, std::string_view config) {
  return store_->UnsetTopicConfig(topic, config);
}

Status DirectAccess::DeleteTopic(std::string_view topic) {
  if (store_->FindTopic(topic) == nullptr) return Topic(topic).status();
  return store_->DeleteTopic(topic, /*require_empty=*/false);
}

Result<std::vector<store::RetentionAction>> DirectAccess::ApplyRetention(
    const std::optional<std::string>& topic, bool dry_run, int64_t now_ms) {
  if (topic && store_->FindTopic(*topic) == nullptr) return Topic(*topic).status();
  return store_->ApplyRetention(now_ms, dry_run, topic);
}

Result<std::unique_ptr<RecordWriter>> DirectAccess::OpenWriter(std::string_view topic,
                                                               int32_t partition) {
  Result<std::shared_ptr<store::Partition>> p = Partition(topic, partition);
  if (!p.ok()) return p.status();
  return std::unique_ptr<RecordWriter>(new DirectWriter(*p));
}

Result<std::unique_ptr<RecordReader>> DirectAccess::OpenReader(std::string_view topic,
                                                               int32_t partition,
                                                               const ReadFrom& from) {
  Result<std::shared_ptr<store::Partition>> p = Partition(topic, partition);
  if (!p.ok()) return p.status();
  store::Partition& part = **p;
  Result<std::unique_ptr<store::PartitionReader>> reader =
      from.kind == ReadFrom::Kind::kTime ? store::PartitionReader::FromTime(*p, from.value)
      : from.kind == ReadFrom::Kind::kOffset
          ? store::PartitionReader::FromOffset(*p, store::Offset(from.value))
          : store::PartitionReader::FromLogStart(*p);
  if (!reader.ok() && from.kind == ReadFrom::Kind::kOffset &&
      reader.status().Is(store::Code::kOutOfRange)) {
    return OffsetOutOfRange(TopicPath(topic), partition, from.value, part.log_start_offset(),
                            part.log_end_offset());
  }
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<RecordReader>(new DirectReader(std::move(*reader)));
}

Result<std::vector<store::CommittedOffset>> DirectAccess::ListGroupOffsets(std::string_view topic) {
  Result<std::shared_ptr<store::Topic>> t = Topic(topic);
  if (!t.ok()) return t.status();
  return store_->groups().List(topic);
}

Status DirectAccess::SetGroupOffset(std::string_view topic, int32_t partition,
                                    std::string_view group, int64_t offset) {
  Result<std::shared_ptr<store::Partition>> p = Partition(topic, partition);
  if (!p.ok()) return p.status();
  const int64_t start = (*p)->log_start_offset(), end = (*p)->log_end_offset();
  if (offset < start || offset > end) {
    return Status::InvalidArgument("offset " + std::to_string(offset) + " is outside [" +
                                   std::to_string(start) + ", " + std::to_string(end) + "]");
  }
  Result<std::unique_ptr<store::ConsumerGroups::Claim>> claim = ClaimGroup(topic, partition, group);
  if (!claim.ok()) return claim.status();
  return store_->groups().Commit(**p, group, store::Offset(offset), store::NowMs());
}

Status DirectAccess::DeleteGroupOffset(std::string_view topic, int32_t partition,
                                       std::string_view group) {
  Result<std::unique_ptr<store::ConsumerGroups::Claim>> claim = ClaimGroup(topic, partition, group);
  if (!claim.ok()) return claim.status();
  return store_->groups().Forget(topic, partition, group);
}

Result<std::unique_ptr<store::ConsumerGroups::Claim>> DirectAccess::ClaimGroup(
    std::string_view topic, int32_t partition, std::string_view group) {
  Result<std::shared_ptr<store::Partition>> p = Partition(topic, partition);
  if (!p.ok()) return p.status();
  return store_->groups().Acquire(topic, partition, group);
}

Result<std::unique_ptr<GroupReader>> DirectAccess::OpenGroupReader(std::string_view topic,
                                                                   int32_t partition,
                                                                   std::string_view group) {
  Result<std::unique_ptr<store::ConsumerGroups::Claim>> claim = ClaimGroup(topic, partition, group);
  if (!claim.ok()) return claim.status();
  Result<std::unique_ptr<store::PartitionReader>> reader =
      store_->groups().ReaderFor(store_->FindPartition(topic, partition), group);
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<GroupReader>(new DirectGroupReader(
      store_.get(), std::move(*claim), std::move(*reader), std::string(group)));
}

Result<std::vector<store::VerifyProblem>> DirectAccess::Verify(const VerifyProgress& progress) {
  return store_->Verify(progress);
}

Result<std::vector<PartitionTier>> DirectAccess::TierStatus(
    const std::optional<std::string>& topic) {
  std::vector<std::string> topics = topic ? std::vector<std::string>{*topic} : store_->ListTopics();
  std::vector<PartitionTier> out;
  for (const std::string& name : topics) {
    Result<std::shared_ptr<store::Topic>> t = Topic(name);
    if (!t.ok()) return t.status();
    for (int32_t p = 0; p < (*t)->partition_count(); ++p) {
      Result<store::Store::TierStatus> status = store_->PartitionTierStatus(name, p);
      if (!status.ok()) return status.status();
      out.push_back({name, p, std::move(*status)});
    }
  }
  return out;
}

Result<bool> DirectAccess::TierPaused(std::string_view topic) { return store_->TierPaused(topic); }

Status DirectAccess::SetTierPaused(std::string_view topic, bool paused) {
  return store_->SetTierPaused(topic, paused);
}

Status DirectAccess::Close() {
  if (store_ == nullptr) return Status::OK();
  Status s = store_->Close();
  store_.reset();
  return s;
}

}  // namespace topicfs::cli
