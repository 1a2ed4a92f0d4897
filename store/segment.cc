#include "store/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t is saved at clean close
#include <xxhash.h>

#include <algorithm>
#include <cerrno>

#include "store/clock.h"
#include "store/data_dir.h"
#include "store/file_io.h"
#include "store/index_rebuild.h"
#include "store/mapped_file.h"
#include "store/names.h"
#include "store/record_scan.h"
#include "store/tier_cache.h"

namespace topicfs::store {
namespace {

size_t MaxEntries(int64_t segment_index_bytes, size_t entry_size) {
  return std::max<size_t>(1, segment_index_bytes / entry_size);
}

}  // namespace

std::shared_ptr<Segment> Segment::New() { return std::make_shared<Segment>(Key()); }

std::string Segment::PathWith(std::string_view suffix) const {
  std::string_view log = log_path();
  log.remove_suffix(kLogSuffix.size());
  std::string path;
  path.reserve(log.size() + suffix.size());
  path.append(log).append(suffix);
  return path;
}

Status Segment::OpenFiles(const std::string& dir, bool create, int64_t segment_index_bytes,
                          DescriptorCache& files) {
  std::string log_path;
  log_path.reserve(dir.size() + 32);  // "/", 20 digits, ".log"
  log_path.append(dir).append("/").append(SegmentFilePrefix(base_offset_)).append(kLogSuffix);
  log_ = files.Track(std::move(log_path), sealed_ ? O_RDONLY : O_RDWR);
  if (create) {
    // The new file's descriptor stays in the cache for the appends to come.
    Result<FileRef> created = log_->Acquire(O_CREAT | O_EXCL, kPrivateFileMode);
    if (!created.ok()) return created.status();
  }
  // A sealed segment's index objects wait for its first lookup.
  if (sealed_) return Status::OK();
  std::unique_ptr<IndexFile> index_file, time_file;
  if (!create) {
    // Read on first use: a mount reads no index file.
    index_file = IndexFile::OpenWritableLazily(index_path(), kOffsetIndexEntrySize, files);
    time_file = IndexFile::OpenWritableLazily(time_index_path(), kTimeIndexEntrySize, files);
  } else {
    auto i = IndexFile::OpenWritable(index_path(), kOffsetIndexEntrySize, files);
    if (!i.ok()) return i.status();
    auto t = IndexFile::OpenWritable(time_index_path(), kTimeIndexEntrySize, files);
    if (!t.ok()) return t.status();
    index_file = std::move(*i);
    time_file = std::move(*t);
    indexes_loaded_ = true;
  }
  index_ = std::make_unique<OffsetIndex>(std::move(index_file), base_offset_,
                                         MaxEntries(segment_index_bytes, kOffsetIndexEntrySize));
  time_index_ = std::make_unique<TimeIndex>(std::move(time_file), base_offset_,
                                            MaxEntries(segment_index_bytes, kTimeIndexEntrySize));
  index_objects_.store(true, std::memory_order_release);
  return Status::OK();
}

void Segment::BuildSealedIndexObjects() {
  if (index_ != nullptr) return;
  // A sealed index takes no entries: its capacity does not matter.
  Env& env = log_->cache().env();
  index_ = std::make_unique<OffsetIndex>(
      IndexFile::OpenSealed(index_path(), kOffsetIndexEntrySize, env), base_offset_, SIZE_MAX);
  time_index_ = std::make_unique<TimeIndex>(
      IndexFile::OpenSealed(time_index_path(), kTimeIndexEntrySize, env), base_offset_, SIZE_MAX);
  index_objects_.store(true, std::memory_order_release);
}

Result<std::shared_ptr<Segment>> Segment::Create(const std::string& dir, int64_t base_offset,
                                                 int64_t segment_index_bytes,
                                                 DescriptorCache& files) {
  std::shared_ptr<Segment> seg = New();
  seg->base_offset_ = base_offset;
  seg->next_offset_ = base_offset;
  // A leftover empty file of that name (a crash right after a roll) is reused.
  std::string prefix = dir + "/" + SegmentFilePrefix(base_offset);
  for (std::string_view suffix : {kLogSuffix, kIndexSuffix, kTimeIndexSuffix}) {
    ::unlink((prefix + std::string(suffix)).c_str());
  }
  TOPICFS_RETURN_IF_ERROR(seg->OpenFiles(dir, /*create=*/true, segment_index_bytes, files));
  seg->hash_ = XXH3_createState();
  XXH3_64bits_reset(seg->hash_);
  seg->hash_valid_ = true;
  return seg;
}

Result<std::shared_ptr<Segment>> Segment::Open(const std::string& dir, const SegmentMeta& meta,
                                               int64_t segment_index_bytes,
                                               DescriptorCache& files) {
  std::shared_ptr<Segment> seg = New();
  seg->base_offset_ = meta.base_offset;
  seg->next_offset_ = meta.next_offset;
  seg->size_ = meta.size_bytes;
  seg->first_timestamp_ms_ = meta.first_timestamp_ms;
  seg->max_timestamp_ms_ = meta.max_timestamp_ms;
  seg->sealed_ = meta.sealed;
  seg->xxh3_ = meta.xxh3;
  seg->indexes_checked_ = !meta.sealed;
  TOPICFS_RETURN_IF_ERROR(seg->OpenFiles(dir, /*create=*/false, segment_index_bytes, files));
  if (!meta.sealed) {
    seg->hash_ = XXH3_createState();
    seg->hash_valid_ = seg->RestoreHashState(meta.hash_state);
  }
  return seg;
}

namespace {
// The saved streaming state is libxxhash's private struct, so it is tagged
// with the version of the library that wrote it.
std::string HashStateTag() {
  const uint32_t v = XXH_versionNumber();
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}
}  // namespace

bool Segment::RestoreHashState(std::string_view saved) {
  // Untagged: saved before the tag existed, by this library (Debian 12's).
  const std::string tag = HashStateTag();
  if (saved.size() == tag.size() + sizeof(XXH3_state_t) && saved.substr(0, tag.size()) == tag) {
    saved.remove_prefix(tag.size());
  }
  if (saved.size() != sizeof(XXH3_state_t)) return false;
  // The saved state points at the library's default secret as it was
  // mapped in the process that saved it; point it at ours.
  XXH3_64bits_reset(hash_);
  const unsigned char* secret = hash_->extSecret;
  std::memcpy(static_cast<void*>(hash_), saved.data(), sizeof(XXH3_state_t));
  hash_->extSecret = secret;
  // A state from another library version, or one that does not cover the
  // file exactly, is not trusted: the hash is recomputed at seal instead of
  // a sealed segment that `verify` would call corrupt.
  if (hash_->totalLen != static_cast<XXH64_hash_t>(size())) {
    XXH3_64bits_reset(hash_);
    return false;
  }
  return true;
}

Status Segment::NoTier() const {
  return Status::Unavailable(log_path() +
                             " is held only in the remote tier, and the store was opened "
                             "without it (-o tier=...)");
}

std::shared_ptr<Segment> Segment::OpenRemote(const std::string& dir, RemoteCopy copy) {
  std::shared_ptr<Segment> seg = New();
  const SegmentMeta& meta = copy.record.meta;
  seg->base_offset_ = meta.base_offset;
  seg->next_offset_ = meta.next_offset;
  seg->size_ = meta.size_bytes;
  seg->first_timestamp_ms_ = meta.first_timestamp_ms;
  seg->max_timestamp_ms_ = meta.max_timestamp_ms;
  seg->sealed_ = true;
  seg->xxh3_ = meta.xxh3;
  seg->remote_log_path_ = dir + "/" + SegmentFilePrefix(meta.base_offset) + std::string(kLogSuffix);
  seg->InstallRemoteIndexes({});  // empty until a lookup fetches them
  seg->indexes_loaded_ = false;
  seg->tier_copy_ = TierCopy::kCopied;
  seg->remote_holder_ = std::make_shared<const RemoteCopy>(std::move(copy));
  seg->remote_.store(seg->remote_holder_.get(), std::memory_order_release);
  return seg;
}

Segment::~Segment() {
  if (hash_ != nullptr) XXH3_freeState(hash_);
}

void Segment::DropLocalCopy(RemoteCopy copy) {
  if (remote_only()) return;
  // Map the sealed indexes while their files are there: lookups keep using
  // them, with no request to the tier.
  BuildSealedIndexObjects();
  (void)index_->entries();
  (void)time_index_->entries();
  (void)index_->file().size_bytes();
  (void)time_index_->file().size_bytes();
  indexes_loaded_ = true;
  remote_holder_ = std::make_shared<const RemoteCopy>(std::move(copy));
  remote_.store(remote_holder_.get(), std::memory_order_release);
  RemoveFiles(/*held=*/false);
  log_->CloseWhenIdle();
}

Result<CheckedIndexes> Segment::CheckIndexes(const IndexRules& rules) const {
  const SegmentMeta meta = Meta(/*with_hash_state=*/false);
  Result<MappedFile> index = MappedFile::Open(log_->cache().env(), index_path());
  Result<MappedFile> time_index = MappedFile::Open(log_->cache().env(), time_index_path());
  auto view = [](const Result<MappedFile>& f) {
    return f.ok() ? std::optional<std::string_view>(f->view()) : std::nullopt;
  };
  CheckedIndexes out;
  if (IndexesSound(view(index), view(time_index), meta)) return out;
  // The .log is the catalog's (its size was checked at open): the indexes
  // are rebuilt from it as recovery would.
  Result<MappedFile> log = MappedFile::Open(log_->cache().env(), log_path());
  if (!log.ok()) return log.status();
  if (static_cast<int64_t>(log->view().size()) < meta.size_bytes) {
    return Status::Corruption(log_path() + " is shorter than its catalog entry");
  }
  BuiltIndexes built =
      BuildIndexes(log->view().substr(0, meta.size_bytes), base_offset_, meta.next_offset,
                   meta.max_timestamp_ms, time_index.ok() ? time_index->view() : std::string_view(),
                   rules.delimiter, rules.index_interval_bytes);
  out.sound = false;
  out.index = std::move(built.index);
  out.time_index = std::move(built.time_index);
  return out;
}

Status Segment::InstallCheckedIndexes(CheckedIndexes checked) {
  if (!NeedsIndexCheck()) return Status::OK();
  indexes_checked_ = true;
  BuildSealedIndexObjects();
  if (checked.sound) return Status::OK();
  Status written = ReplaceIndexFile(log_->cache().env(), index_path(), checked.index);
  Status time_written =
      ReplaceIndexFile(log_->cache().env(), time_index_path(), checked.time_index);
  index_->file().ReplaceSealedBytes(std::move(checked.index));
  time_index_->file().ReplaceSealedBytes(std::move(checked.time_index));
  return written.ok() ? time_written : written;
}

Result<RemoteIndexes> Segment::FetchRemoteIndexes() const {
  const RemoteCopy* copy = remote_.load(std::memory_order_acquire);
  if (copy == nullptr) return RemoteIndexes{};
  if (copy->cache == nullptr) return NoTier();
  RemoteIndexes out;
  Result<std::string> index = copy->cache->tier().GetAll(copy->record.IndexKey());
  if (!index.ok()) return index.status();
  Result<std::string> time_index = copy->cache->tier().GetAll(copy->record.TimeIndexKey());
  if (!time_index.ok()) return time_index.status();
  out.index = std::move(*index);
  out.time_index = std::move(*time_index);
  return out;
}

void Segment::InstallRemoteIndexes(RemoteIndexes indexes) {
  // A sealed index gets no more entries: its capacity is what it holds.
  auto index = IndexFile::FromBytes(index_path(), kOffsetIndexEntrySize, std::move(indexes.index));
  auto time =
      IndexFile::FromBytes(time_index_path(), kTimeIndexEntrySize, std::move(indexes.time_index));
  const size_t entries = index->entries(), time_entries = time->entries();
  index_ = std::make_unique<OffsetIndex>(std::move(index), base_offset_, entries);
  time_index_ = std::make_unique<TimeIndex>(std::move(time), base_offset_, time_entries + 1);
  index_objects_.store(true, std::memory_order_release);
  indexes_loaded_ = true;
}

int64_t Segment::index_bytes() const {
  if (const RemoteCopy* copy = remote_.load(std::memory_order_acquire)) {
    return copy->record.index_bytes;
  }
  if (!index_objects_.load(std::memory_order_acquire)) return IndexFileBytes(IndexKind::kOffset);
  return index_->file().size_bytes();
}

int64_t Segment::time_index_bytes() const {
  if (const RemoteCopy* copy = remote_.load(std::memory_order_acquire)) {
    return copy->record.time_index_bytes;
  }
  if (!index_objects_.load(std::memory_order_acquire)) return IndexFileBytes(IndexKind::kTime);
  return time_index_->file().size_bytes();
}

int64_t Segment::IndexFileBytes(IndexKind kind) const {
  if (remote_only()) return kind == IndexKind::kOffset ? index_bytes() : time_index_bytes();
  // The file as a reader of it finds it: an entry is written after its data.
  struct stat st;
  if (::stat(IndexPath(kind).c_str(), &st) != 0) return 0;
  return st.st_size - st.st_size % static_cast<int64_t>(IndexEntryBytes(kind));
}

Result<FileRef> Segment::OpenLog() const {
  if (remote_only()) {
    return Status::NotSupported(log_path() + " is held only in the remote tier");
  }
  return log_->Acquire();
}

Result<size_t> Segment::ReadRemote(const RemoteCopy& copy, char* buf, size_t len, int64_t pos,
                                   bool sequential) const {
  if (copy.cache == nullptr) return NoTier();
  return copy.cache->Read(copy.record.LogKey(), size(), buf, len, pos, sequential);
}

void Segment::PrefetchRemote() const {
  const RemoteCopy* remote = remote_.load(std::memory_order_acquire);
  if (remote != nullptr && remote->cache != nullptr) {
    remote->cache->Prefetch(remote->record.LogKey(), size());
  }
}

void Segment::KeepReadable() {
  if (kept_.valid() || log_ == nullptr || remote_only()) return;
  Result<FileRef> log = log_->Acquire();
  if (log.ok()) kept_ = std::move(*log);
}

void Segment::RemoveFiles(bool held) {
  if (held) KeepReadable();
  if (log_ != nullptr) ::unlink(log_path().c_str());
  ::unlink(index_path().c_str());
  ::unlink(time_index_path().c_str());
}

bool Segment::ShouldRoll(int64_t now_ms, int64_t segment_ms) {
  if (size() == 0) return false;  // never roll into an empty segment
  return now_ms - first_timestamp_ms_ >= segment_ms || index_->IsFull() || time_index_->IsFull();
}

Result<size_t> Segment::PlanPiece(std::string_view records, int64_t start, int64_t now_ms,
                                  const AppendLimits& limits, int64_t* offset,
                                  int64_t* last_indexed) {
  const char delim = limits.delimiter;
  size_t take = records.size();
  const int64_t room = std::max<int64_t>(0, limits.segment_bytes - start);
  if (static_cast<int64_t>(take) > room) {
    take = room == 0 ? 0 : WholeRecordPrefix(records.data(), room, delim);
    if (take == 0 && start == 0) {  // one record larger than segment.bytes
      const void* end = std::memchr(records.data(), delim, records.size());
      if (end == nullptr) return Status::InvalidArgument("append of a partial record");
      take = static_cast<const char*>(end) - records.data() + 1;
    }
  }
  // Walk the piece once: count records and add an index entry at the first
  // record starting index.interval.bytes after the previous entry.
  const int64_t interval = std::max<int64_t>(1, limits.index_interval_bytes);
  size_t pos = 0;  // always a record start within the piece
  while (pos < take) {
    int64_t threshold = *last_indexed + interval - start;  // piece-relative
    size_t next_start;
    if (threshold <= static_cast<int64_t>(pos)) {
      next_start = pos;
    } else if (threshold >= static_cast<int64_t>(take)) {
      next_start = take;
    } else {
      const void* d = std::memchr(records.data() + threshold - 1, delim, take - threshold + 1);
      next_start = static_cast<const char*>(d) - records.data() + 1;
    }
    *offset += CountDelimiters(records.data() + pos, next_start - pos, delim);
    if (next_start >= take) break;
    if (index_->IsFull() || time_index_->IsFull()) {
      take = next_start;  // the rest goes to the next segment
      break;
    }
    index_->Append(*offset, static_cast<uint32_t>(start + next_start));
    time_index_->MaybeAppend(now_ms, *offset);
    *last_indexed = start + next_start;
    pos = next_start;
  }
  return take;
}

Result<size_t> Segment::Append(std::string_view first, std::string_view rest, int64_t now_ms,
                               const AppendLimits& limits) {
  if (!indexes_loaded_) TOPICFS_RETURN_IF_ERROR(LoadIndexes());
  // Cached after the first append; reopened after an eviction.
  Result<FileRef> log = log_->Acquire();
  if (!log.ok()) return log.status();
  const int fd = log->fd();
  const int64_t start = size();
  const size_t entries_before = index_->entries();
  const size_t time_entries_before = time_index_->entries();
  auto roll_back_indexes = [&] {
    (void)index_->file().Truncate(entries_before);
    (void)time_index_->file().Truncate(time_entries_before);
  };
  int64_t offset = next_offset();
  int64_t last_indexed = last_index_position_;
  Result<size_t> take_first = PlanPiece(first, start, now_ms, limits, &offset, &last_indexed);
  if (!take_first.ok()) return take_first.status();
  size_t take_rest = 0;
  if (*take_first == first.size() && !rest.empty()) {
    Result<size_t> r = PlanPiece(rest, start + *take_first, now_ms, limits, &offset, &last_indexed);
    if (!r.ok()) {
      roll_back_indexes();
      return r.status();
    }
    take_rest = *r;
  }
  const size_t take = *take_first + take_rest;
  if (limits.whole && take < first.size() + rest.size()) {
    roll_back_indexes();
    return size_t{0};
  }
  if (take == 0) return size_t{0};

  // One write for both pieces: a record assembled across writes and the
  // whole records after it.
  Status s = WriteFully2(log_->cache().env(), fd, first.data(), *take_first, rest.data(), take_rest,
                         start, log_path());
  if (!s.ok()) {
    // Leave no part of the batch behind: the file and indexes go back.
    if (::ftruncate(fd, start) != 0) s = Status::FromErrno(errno, "truncate " + log_path());
    roll_back_indexes();
    return s;
  }
  last_index_position_ = last_indexed;
  if (hash_valid_) {
    XXH3_64bits_update(hash_, first.data(), *take_first);
    XXH3_64bits_update(hash_, rest.data(), take_rest);
  }
  if (start == 0) first_timestamp_ms_ = now_ms;
  if (now_ms > max_timestamp_ms()) max_timestamp_ms_.store(now_ms, std::memory_order_release);
  next_offset_.store(offset, std::memory_order_release);
  size_.store(start + take, std::memory_order_release);
  // Index entries are rebuildable from the .log; a failed write is retried
  // with the next batch and at sync.
  (void)index_->file().WritePending();
  (void)time_index_->file().WritePending();
  return take;
}

Status Segment::LoadIndexes() {
  TOPICFS_RETURN_IF_ERROR(index_->file().EnsureLoaded());
  TOPICFS_RETURN_IF_ERROR(time_index_->file().EnsureLoaded());
  if (auto last = index_->Last()) last_index_position_ = last->position;
  indexes_loaded_ = true;
  return Status::OK();
}

Status Segment::RehashFromFile() {
  Result<FileRef> log = log_->Acquire();
  if (!log.ok()) return log.status();
  XXH3_64bits_reset(hash_);
  char buf[1 << 16];
  for (int64_t pos = 0; pos < size();) {
    size_t n = std::min<int64_t>(sizeof buf, size() - pos);
    TOPICFS_RETURN_IF_ERROR(ReadFully(log->fd(), buf, n, pos, log_path()));
    XXH3_64bits_update(hash_, buf, n);
    pos += n;
  }
  hash_valid_ = true;
  return Status::OK();
}

Status Segment::Seal() {
  if (sealed()) return Status::OK();
  if (!hash_valid_) TOPICFS_RETURN_IF_ERROR(RehashFromFile());
  xxh3_ = XXH3_64bits_digest(hash_);
  TOPICFS_RETURN_IF_ERROR(index_->file().Seal());
  TOPICFS_RETURN_IF_ERROR(time_index_->file().Seal());
  XXH3_freeState(hash_);
  hash_ = nullptr;
  log_->set_flags(O_RDONLY);  // for reopens after an eviction
  sealed_at_ms_.store(SteadyNowMs(), std::memory_order_release);
  sealed_.store(true, std::memory_order_release);
  return Status::OK();
}

Status Segment::WritePendingIndexEntries() {
  TOPICFS_RETURN_IF_ERROR(index_->file().WritePending());
  return time_index_->file().WritePending();
}

Status Segment::Sync() const {
  Result<FileRef> log = log_->Acquire();
  if (!log.ok()) return log.status();
  TOPICFS_RETURN_IF_ERROR(SyncFile(log_->cache().env(), log->fd(), log_path()));
  TOPICFS_RETURN_IF_ERROR(SyncPath(log_->cache().env(), index_path()));
  return SyncPath(log_->cache().env(), time_index_path());
}

Result<int64_t> Segment::PositionOf(int64_t offset, char delimiter) {
  if (offset < base_offset_ || offset > next_offset()) {
    return Status::OutOfRange("offset " + std::to_string(offset) + " is not in segment " +
                              std::to_string(base_offset_));
  }
  if (offset == next_offset()) return size();
  return ScanTo(FloorEntry(offset), offset, delimiter, size());
}

Segment::ScanStart Segment::FloorEntry(int64_t offset) {
  BuildSealedIndexObjects();
  if (auto floor = index_->FindFloor(offset)) return {floor->offset, floor->position};
  return {base_offset_, 0};
}

Result<int64_t> Segment::ScanTo(ScanStart from, int64_t offset, char delimiter, int64_t end) const {
  // The target is about one index interval past the floor entry: read in
  // page-sized steps rather than a large block.
  constexpr size_t kStep = 4096;
  thread_local char buf[kStep];
  int64_t at = from.offset;
  int64_t pos = from.position;
  if (at >= offset) return pos;
  const RemoteCopy* remote = remote_.load(std::memory_order_acquire);
  FileRef log;
  if (remote == nullptr) {
    Result<FileRef> opened = log_->Acquire();
    if (opened.ok()) {
      log = std::move(*opened);
    } else if ((remote = remote_.load(std::memory_order_acquire)) == nullptr) {
      return opened.status();  // not the local copy going to the remote tier
    }
  }
  while (at < offset) {
    if (pos >= end) return Status::Corruption("index of " + log_path() + " points past the data");
    size_t n = std::min<int64_t>(kStep, end - pos);
    if (remote != nullptr) {
      Result<size_t> got = ReadRemote(*remote, buf, n, pos, /*sequential=*/false);
      if (!got.ok()) return got.status();
      if (*got < n) return Status::Corruption(log_path() + " in the remote tier is short");
    } else {
      TOPICFS_RETURN_IF_ERROR(ReadFully(log.fd(), buf, n, pos, log_path()));
    }
    size_t seen = 0;
    size_t skip = SkipDelimiters(buf, n, delimiter, offset - at, &seen);
    at += seen;
    pos += skip == static_cast<size_t>(-1) ? n : skip;
  }
  return pos;
}

int64_t Segment::OffsetNotAfterTime(int64_t ts_ms) {
  // An entry, and the first record's own time, name a record appended
  // before `ts_ms`: the one sought comes after it (append times never
  // decrease), and exists since the segment holds a record at or after.
  BuildSealedIndexObjects();
  std::optional<TimeIndexEntry> e = time_index_->FindLastBefore(ts_ms);
  if (e) return e->offset + 1;
  const bool first_before = first_timestamp_ms_ >= 0 && first_timestamp_ms_ < ts_ms;
  return first_before ? base_offset_ + 1 : base_offset_;
}

Result<size_t> Segment::Read(char* buf, size_t len, int64_t pos) const {
  int64_t end = size();
  if (pos >= end) return size_t{0};
  len = std::min<int64_t>(len, end - pos);
  if (const RemoteCopy* remote = remote_.load(std::memory_order_acquire)) {
    return ReadRemote(*remote, buf, len, pos, /*sequential=*/true);
  }
  Result<FileRef> log = log_->Acquire();
  if (!log.ok()) {
    // The local copy went between the test and the open: read the remote one.
    if (const RemoteCopy* remote = remote_.load(std::memory_order_acquire)) {
      return ReadRemote(*remote, buf, len, pos, /*sequential=*/true);
    }
    return log.status();
  }
  ssize_t n;
  do {
    n = ::pread(log->fd(), buf, len, pos);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status::FromErrno(errno, "read " + log_path());
  return static_cast<size_t>(n);
}

SegmentMeta Segment::Meta(bool with_hash_state) const {
  SegmentMeta m;
  m.base_offset = base_offset_;
  m.next_offset = next_offset();
  m.size_bytes = size();
  m.first_timestamp_ms = first_timestamp_ms_;
  m.max_timestamp_ms = max_timestamp_ms();
  m.sealed = sealed();
  m.xxh3 = xxh3_;
  if (with_hash_state && !m.sealed && hash_valid_) {
    m.hash_state = HashStateTag();
    m.hash_state.append(reinterpret_cast<const char*>(hash_), sizeof(XXH3_state_t));
  }
  return m;
}

}  // namespace topicfs::store
