#include "store/metadata.h"

#include <dirent.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/coding.h"
#include "store/data_dir.h"
#include "store/units.h"

namespace topicfs::store {
namespace {

const char* const kFamilyNames[] = {"topics", "partitions", "segments", "xattrs",
                                    "owners", "groups",     "remote"};
// The families every topicfs store has had; later ones are added at open.
constexpr size_t kFirstFamilies = 5;

// For a read-only open: RocksDB would otherwise rotate meta/LOG and write a
// new one.
class NullLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

// A database RocksDB cannot open because of what is in it (not a lock, not
// a permission or descriptor problem) is damaged.
Status FromRocksOpen(const rocksdb::Status& s, const std::string& dir) {
  const std::string text = s.ToString();
  if (s.IsCorruption() || (s.IsIOError() && text.find("No such file") != std::string::npos) ||
      s.IsInvalidArgument()) {
    return Status::Corruption(dir + " is damaged (" + text + ")");
  }
  if (text.find("Read-only file system") != std::string::npos) {
    return Status::IOError(
        dir + " is on a read-only filesystem: only commands that read work there", EROFS);
  }
  return Status::IOError("open metadata " + dir + ": " + text);
}

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  if (s.IsNoSpace()) return Status::NoSpace(std::string(what) + ": " + s.ToString());
  return Status::IOError(std::string(what) + ": " + s.ToString());
}

std::string PartitionKey(std::string_view topic, int32_t p) {
  std::string key(topic);
  key.push_back('\0');
  char buf[4];
  EncodeBigEndian32(buf, static_cast<uint32_t>(p));
  key.append(buf, 4);
  return key;
}

// Store-wide flags live in the default column family, which holds nothing else.
std::string StoreFlagKey(std::string_view name) { return "flag/" + std::string(name); }

std::string SegmentKey(std::string_view topic, int32_t p, int64_t base) {
  std::string key = PartitionKey(topic, p);
  char buf[8];
  EncodeBigEndian64(buf, static_cast<uint64_t>(base));
  key.append(buf, 8);
  return key;
}

std::string XattrKey(std::string_view object, std::string_view name) {
  std::string key(object);
  key.push_back('\0');
  key.append(name);
  return key;
}

// Deleted topics' remote segments, keyed by object name: no topic name
// starts with this byte.
constexpr char kOrphanMark = '\x01';

// Deletes every key of `family` that starts with `prefix`.
void DeletePrefix(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family,
                  std::string prefix) {
  std::string end = prefix;
  end.push_back('\xff');
  end.push_back('\xff');
  batch.DeleteRange(family, prefix, end);
}

}  // namespace

std::string TopicObjectKey(std::string_view topic) { return "t/" + std::string(topic); }
std::string PartitionObjectKey(std::string_view topic, int32_t partition) {
  return "p/" + std::string(topic) + "/" + std::to_string(partition);
}
std::string SegmentObjectKey(std::string_view topic, int32_t partition, int64_t base) {
  return "s/" + std::string(topic) + "/" + std::to_string(partition) + "/" + std::to_string(base);
}

std::string TopicRecord::Encode() const {
  return "partitions=" + std::to_string(partitions) + "\n" + config.Serialize();
}

Result<TopicRecord> TopicRecord::Decode(std::string_view bytes) {
  TopicRecord record;
  constexpr std::string_view kHead = "partitions=";
  size_t eol = bytes.find('\n');
  if (!bytes.starts_with(kHead) || eol == std::string_view::npos) {
    return Status::Corruption("bad topic record");
  }
  auto n = ParseDecimal(bytes.substr(kHead.size(), eol - kHead.size()));
  if (!n || *n < 1) return Status::Corruption("bad partition count in topic record");
  record.partitions = static_cast<int32_t>(*n);
  auto config = TopicConfig::Parse(bytes.substr(eol + 1));
  if (!config.ok()) return config.status();
  record.config = *config;
  return record;
}

std::string PartitionState::Encode() const {
  std::string out(16, '\0');
  EncodeBigEndian64(out.data(), static_cast<uint64_t>(log_start_offset));
  EncodeBigEndian64(out.data() + 8, static_cast<uint64_t>(recovery_point));
  return out;
}

Result<PartitionState> PartitionState::Decode(std::string_view bytes) {
  if (bytes.size() != 16) return Status::Corruption("bad partition state");
  PartitionState s;
  s.log_start_offset = static_cast<int64_t>(DecodeBigEndian64(bytes.data()));
  s.recovery_point = static_cast<int64_t>(DecodeBigEndian64(bytes.data() + 8));
  return s;
}

Status Metadata::CheckDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return errno == ENOENT ? Status::OK() : Status::FromErrno(errno, "open " + dir);
  bool empty = true;
  while (struct dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) empty = false;
  }
  ::closedir(d);
  if (empty) return Status::OK();
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  if (!s.ok()) return FromRocksOpen(s, dir);
  for (size_t i = 0; i < kFirstFamilies; ++i) {
    const char* family = kFamilyNames[i];
    if (std::find(names.begin(), names.end(), family) == names.end()) {
      return Status::NotSupported(dir + " holds another program's RocksDB, not a topicfs store " +
                                  "(it has no '" + family + "' column family): left untouched");
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<Metadata>> Metadata::Open(const std::string& dir, bool read_only) {
  TOPICFS_RETURN_IF_ERROR(CheckDir(dir));
  rocksdb::DBOptions options;
  options.create_if_missing = !read_only;
  options.create_missing_column_families = !read_only;
  options.max_open_files = 64;
  options.keep_log_file_num = 2;
  options.max_background_jobs = 1;
  // Metadata is small: no preallocated WAL or MANIFEST space, which on a
  // nearly full disk would fail writes that fit.
  options.allow_fallocate = false;
  options.manifest_preallocation_size = 64 << 10;
  if (read_only) options.info_log = std::make_shared<NullLogger>();
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.write_buffer_size = 4 << 20;  // metadata is small; keep the RSS low
  // Read-only, a family the store does not have yet cannot be made: it is
  // left out and stays null.
  std::vector<std::string> present;
  if (read_only) (void)rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &present);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::vector<size_t> slots;  // where each opened family's handle goes
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  slots.push_back(0);
  for (size_t i = 0; i < kFamilyCount; ++i) {
    if (read_only && std::find(present.begin(), present.end(), kFamilyNames[i]) == present.end())
      continue;
    families.emplace_back(kFamilyNames[i], cf_options);
    slots.push_back(i + 1);
  }
  // RocksDB would make it 0755; its files are private behind a 0700 meta/.
  if (!read_only && ::mkdir(dir.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
    return Status::FromErrno(errno, "mkdir " + dir);
  }
  std::unique_ptr<Metadata> meta(new Metadata());
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  rocksdb::Status s = read_only ? rocksdb::DB::OpenForReadOnly(options, dir, families, &opened, &db)
                                : rocksdb::DB::Open(options, dir, families, &opened, &db);
  if (!s.ok()) return FromRocksOpen(s, dir);
  meta->db_.reset(db);
  meta->handles_.assign(kFamilyCount + 1, nullptr);
  for (size_t i = 0; i < opened.size(); ++i) meta->handles_[slots[i]] = opened[i];
  return meta;
}

Metadata::~Metadata() {
  for (auto* h : handles_) {
    if (h != nullptr) db_->DestroyColumnFamilyHandle(h);
  }
  if (db_) (void)db_->Close();
}

MetadataBatch::MetadataBatch(Metadata* meta)
    : meta_(meta), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
MetadataBatch::~MetadataBatch() = default;

bool MetadataBatch::empty() const { return batch_->Count() == 0; }

void MetadataBatch::PutTopic(std::string_view topic, const TopicRecord& record) {
  batch_->Put(meta_->cf(Metadata::kTopics), topic, record.Encode());
}

void MetadataBatch::PutPartition(std::string_view topic, int32_t p, const PartitionState& state) {
  batch_->Put(meta_->cf(Metadata::kPartitions), PartitionKey(topic, p), state.Encode());
}

void MetadataBatch::PutSegment(std::string_view topic, int32_t p, const SegmentMeta& seg) {
  batch_->Put(meta_->cf(Metadata::kSegments), SegmentKey(topic, p, seg.base_offset), seg.Encode());
}

void MetadataBatch::DeleteSegmentEntry(std::string_view topic, int32_t p, int64_t base) {
  batch_->Delete(meta_->cf(Metadata::kSegments), SegmentKey(topic, p, base));
}

void MetadataBatch::DeleteSegment(std::string_view topic, int32_t p, int64_t base) {
  DeleteSegmentEntry(topic, p, base);
  DeletePrefix(*batch_, meta_->cf(Metadata::kXattrs), SegmentObjectKey(topic, p, base) + '\0');
  batch_->Delete(meta_->cf(Metadata::kOwners), SegmentObjectKey(topic, p, base));
}

void MetadataBatch::DeletePartitionSegments(std::string_view topic, int32_t p) {
  DeletePrefix(*batch_, meta_->cf(Metadata::kSegments), PartitionKey(topic, p));
}

void MetadataBatch::DeletePartition(std::string_view topic, int32_t p) {
  batch_->Delete(meta_->cf(Metadata::kPartitions), PartitionKey(topic, p));
  DeletePartitionSegments(topic, p);
}

void MetadataBatch::DeleteTopic(std::string_view topic) {
  batch_->Delete(meta_->cf(Metadata::kTopics), topic);
  std::string prefix(topic);
  prefix.push_back('\0');
  DeletePrefix(*batch_, meta_->cf(Metadata::kPartitions), prefix);
  DeletePrefix(*batch_, meta_->cf(Metadata::kSegments), prefix);
  std::string tail = std::string(topic) + "/";
  for (const char* kind : {"p/", "s/"}) {
    DeletePrefix(*batch_, meta_->cf(Metadata::kXattrs), kind + tail);
    DeletePrefix(*batch_, meta_->cf(Metadata::kOwners), kind + tail);
  }
  DeletePrefix(*batch_, meta_->cf(Metadata::kXattrs), TopicObjectKey(topic) + '\0');
  batch_->Delete(meta_->cf(Metadata::kOwners), TopicObjectKey(topic));
  if (meta_->cf(Metadata::kGroups) != nullptr)
    DeletePrefix(*batch_, meta_->cf(Metadata::kGroups), prefix);
  if (meta_->cf(Metadata::kRemote) != nullptr) {
    batch_->Delete(meta_->cf(Metadata::kRemote), topic);
    DeletePrefix(*batch_, meta_->cf(Metadata::kRemote), prefix);
  }
}

void MetadataBatch::PutRemote(std::string_view topic, int32_t p, const RemoteSegment& seg) {
  batch_->Put(meta_->cf(Metadata::kRemote), SegmentKey(topic, p, seg.meta.base_offset),
              seg.Encode());
}

void MetadataBatch::DeleteRemote(std::string_view topic, int32_t p, int64_t base) {
  batch_->Delete(meta_->cf(Metadata::kRemote), SegmentKey(topic, p, base));
}

void MetadataBatch::PutOrphanRemote(const RemoteSegment& seg) {
  batch_->Put(meta_->cf(Metadata::kRemote), kOrphanMark + seg.object, seg.Encode());
}

void MetadataBatch::DeleteOrphanRemote(std::string_view object) {
  batch_->Delete(meta_->cf(Metadata::kRemote), kOrphanMark + std::string(object));
}

void MetadataBatch::PutTopicTierId(std::string_view topic, std::string_view id) {
  batch_->Put(meta_->cf(Metadata::kRemote), topic, id);
}

Status Metadata::Commit(Batch& batch, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return Write(options, &batch.raw(), "metadata write");
}

Status Metadata::Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch,
                       std::string_view what) {
  rocksdb::Status s = db_->Write(options, batch);
  if (!s.ok() && !s.IsInvalidArgument()) {
    // A failed WAL write (a full disk) leaves RocksDB read-only until
    // resumed; resume now so that writes work again once space returns.
    (void)db_->Resume();
  }
  return FromRocks(s, what);
}

Result<std::vector<std::pair<std::string, TopicRecord>>> Metadata::ListTopics() {
  std::vector<std::pair<std::string, TopicRecord>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kTopics)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto record = TopicRecord::Decode(it->value().ToStringView());
    if (!record.ok()) return record.status();
    out.emplace_back(it->key().ToString(), *record);
  }
  TOPICFS_RETURN_IF_ERROR(FromRocks(it->status(), "list topics"));
  return out;
}

Result<std::optional<PartitionState>> Metadata::GetPartition(std::string_view topic, int32_t p) {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kPartitions), PartitionKey(topic, p), &value);
  if (s.IsNotFound()) return std::optional<PartitionState>();
  TOPICFS_RETURN_IF_ERROR(FromRocks(s, "read partition state"));
  auto state = PartitionState::Decode(value);
  if (!state.ok()) return state.status();
  return std::optional<PartitionState>(*state);
}

Result<std::vector<SegmentMeta>> Metadata::ListSegments(std::string_view topic, int32_t p) {
  std::vector<SegmentMeta> out;
  std::string prefix = PartitionKey(topic, p);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kSegments)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto seg = SegmentMeta::Decode(it->value().ToStringView());
    if (!seg.ok()) return seg.status();
    out.push_back(std::move(*seg));
  }
  TOPICFS_RETURN_IF_ERROR(FromRocks(it->status(), "list segments"));
  return out;
}

Result<std::vector<RemoteSegment>> Metadata::ListRemoteUnder(std::string_view prefix) {
  std::vector<RemoteSegment> out;
  if (cf(kRemote) == nullptr) return out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kRemote)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto seg = RemoteSegment::Decode(it->value().ToStringView());
    if (!seg.ok()) return seg.status();
    out.push_back(std::move(*seg));
  }
  TOPICFS_RETURN_IF_ERROR(FromRocks(it->status(), "list remote segments"));
  return out;
}

Result<std::vector<RemoteSegment>> Metadata::ListRemote(std::string_view topic, int32_t p) {
  return ListRemoteUnder(PartitionKey(topic, p));
}

Result<std::vector<RemoteSegment>> Metadata::ListOrphanRemote() {
  return ListRemoteUnder(std::string(1, kOrphanMark));
}

Result<std::optional<std::string>> Metadata::GetTopicTierId(std::string_view topic) {
  if (cf(kRemote) == nullptr) return std::optional<std::string>();
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kRemote), topic, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  TOPICFS_RETURN_IF_ERROR(FromRocks(s, "read topic tier id"));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::string>> Metadata::GetXattr(std::string_view object,
                                                      std::string_view name) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kXattrs), XattrKey(object, name), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  TOPICFS_RETURN_IF_ERROR(FromRocks(s, "read xattr"));
  return std::optional<std::string>(std::move(value));
}

Status Metadata::PutXattr(std::string_view object, std::string_view name, std::string_view value) {
  rocksdb::WriteBatch batch;
  batch.Put(cf(kXattrs), XattrKey(object, name), value);
  return Write(rocksdb::WriteOptions(), &batch, "write xattr");
}

Status Metadata::DeleteXattr(std::string_view object, std::string_view name) {
  rocksdb::WriteBatch batch;
  batch.Delete(cf(kXattrs), XattrKey(object, name));
  return Write(rocksdb::WriteOptions(), &batch, "remove xattr");
}

Result<std::vector<std::string>> Metadata::ListXattrs(std::string_view object) {
  std::vector<std::string> out;
  std::string prefix = XattrKey(object, "");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kXattrs)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out.emplace_back(it->key().ToStringView().substr(prefix.size()));
  }
  TOPICFS_RETURN_IF_ERROR(FromRocks(it->status(), "list xattrs"));
  return out;
}

Status Metadata::DeleteObjectXattrs(std::string_view object) {
  rocksdb::WriteBatch batch;
  DeletePrefix(batch, cf(kXattrs), XattrKey(object, ""));
  return Write(rocksdb::WriteOptions(), &batch, "remove xattrs");
}

Result<std::optional<Ownership>> Metadata::GetOwner(std::string_view object) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kOwners), object, &value);
  if (s.IsNotFound()) return std::optional<Ownership>();
  TOPICFS_RETURN_IF_ERROR(FromRocks(s, "read owner"));
  if (value.size() != 12) return Status::Corruption("bad owner record");
  return std::optional<Ownership>(Ownership{DecodeBigEndian32(value.data()),
                                            DecodeBigEndian32(value.data() + 4),
                                            DecodeBigEndian32(value.data() + 8)});
}

void MetadataBatch::PutOwner(std::string_view object, const Ownership& owner) {
  char buf[12];
  EncodeBigEndian32(buf, owner.mode);
  EncodeBigEndian32(buf + 4, owner.uid);
  EncodeBigEndian32(buf + 8, owner.gid);
  batch_->Put(meta_->cf(Metadata::kOwners), object, rocksdb::Slice(buf, sizeof buf));
}

Status Metadata::PutOwner(std::string_view object, const Ownership& owner) {
  Batch batch(this);
  batch.PutOwner(object, owner);
  return Write(rocksdb::WriteOptions(), &batch.raw(), "write owner");
}

Result<std::optional<std::string>> Metadata::GetStoreFlag(std::string_view name) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[0], StoreFlagKey(name), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  TOPICFS_RETURN_IF_ERROR(FromRocks(s, "read store flag"));
  return std::optional<std::string>(std::move(value));
}

Status Metadata::PutStoreFlag(std::string_view name, std::string_view value) {
  rocksdb::WriteBatch batch;
  batch.Put(handles_[0], StoreFlagKey(name), value);
  rocksdb::WriteOptions options;
  options.sync = true;
  return Write(options, &batch, "write store flag");
}

Status Metadata::Sync() { return FromRocks(db_->FlushWAL(/*sync=*/true), "sync metadata"); }

Status Metadata::FlushMemtables() {
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  for (auto* h : handles_) {
    if (h != nullptr) families.push_back(h);
  }
  rocksdb::FlushOptions options;
  options.wait = true;
  return FromRocks(db_->Flush(options, families), "flush metadata");
}

namespace {

std::string GroupKey(std::string_view topic, int32_t p, std::string_view group) {
  std::string key(topic);
  key.push_back('\0');
  char be[4];
  EncodeBigEndian32(be, static_cast<uint32_t>(p));
  key.append(be, 4);
  key.append(group);
  return key;
}

std::string EncodeCommitted(int64_t offset, int64_t commit_ms) {
  char bytes[16];
  EncodeBigEndian64(bytes, static_cast<uint64_t>(offset));
  EncodeBigEndian64(bytes + 8, static_cast<uint64_t>(commit_ms));
  return std::string(bytes, sizeof bytes);
}

}  // namespace

Status Metadata::PutCommitted(std::string_view topic, int32_t p, std::string_view group,
                              int64_t offset, int64_t commit_ms) {
  if (cf(kGroups) == nullptr) return Status::ForErrno(EROFS, "the store is open read-only");
  rocksdb::WriteBatch batch;
  batch.Put(cf(kGroups), GroupKey(topic, p, group), EncodeCommitted(offset, commit_ms));
  rocksdb::WriteOptions options;
  options.sync = true;
  return Write(options, &batch, "commit of a group offset");
}

Result<std::optional<CommittedOffset>> Metadata::GetCommitted(std::string_view topic, int32_t p,
                                                              std::string_view group) {
  if (cf(kGroups) == nullptr) return std::optional<CommittedOffset>();
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kGroups), GroupKey(topic, p, group), &value);
  if (s.IsNotFound()) return std::optional<CommittedOffset>();
  TOPICFS_RETURN_IF_ERROR(FromRocks(s, "read a group offset"));
  if (value.size() != 16) return Status::Corruption("a committed offset of the wrong size");
  return std::optional<CommittedOffset>(
      CommittedOffset{std::string(group), p, static_cast<int64_t>(DecodeBigEndian64(value.data())),
                      static_cast<int64_t>(DecodeBigEndian64(value.data() + 8))});
}

Result<std::vector<CommittedOffset>> Metadata::ListCommitted(std::string_view topic) {
  std::vector<CommittedOffset> out;
  if (cf(kGroups) == nullptr) return out;
  std::string prefix(topic);
  prefix.push_back('\0');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kGroups)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key = it->key().ToStringView().substr(prefix.size());
    std::string_view value = it->value().ToStringView();
    if (key.size() < 4 || value.size() != 16)
      return Status::Corruption("a bad group offset record");
    out.push_back(CommittedOffset{std::string(key.substr(4)),
                                  static_cast<int32_t>(DecodeBigEndian32(key.data())),
                                  static_cast<int64_t>(DecodeBigEndian64(value.data())),
                                  static_cast<int64_t>(DecodeBigEndian64(value.data() + 8))});
  }
  TOPICFS_RETURN_IF_ERROR(FromRocks(it->status(), "list group offsets"));
  return out;
}

Status Metadata::DeleteCommitted(std::string_view topic, int32_t p, std::string_view group) {
  if (cf(kGroups) == nullptr) return Status::ForErrno(EROFS, "the store is open read-only");
  rocksdb::WriteBatch batch;
  batch.Delete(cf(kGroups), GroupKey(topic, p, group));
  rocksdb::WriteOptions options;
  options.sync = true;
  return Write(options, &batch, "delete of a group offset");
}

}  // namespace topicfs::store
