#include "store/recovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "store/coding.h"
#include "store/data_dir.h"
#include "store/file_io.h"
#include "store/names.h"
#include "store/record_scan.h"

namespace topicfs::store {
namespace {

// A read-only view of a whole file; empty files map to an empty view.
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path) {
    MappedFile m;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "open " + path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Status::FromErrno(errno, "stat " + path);
    }
    m.mtime_ms_ = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    if (st.st_size > 0) {
      void* p = ::mmap(nullptr, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        return Status::FromErrno(errno, "map " + path);
      }
      m.data_ = static_cast<const char*>(p);
      m.size_ = st.st_size;
    }
    ::close(fd);
    return m;
  }
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept { *this = std::move(o); }
  MappedFile& operator=(MappedFile&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    mtime_ms_ = o.mtime_ms_;
    return *this;
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view view() const { return {data_ == nullptr ? "" : data_, size_}; }
  int64_t mtime_ms() const { return mtime_ms_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  int64_t mtime_ms_ = 0;
};

std::string Prefix(const std::string& dir, int64_t base) {
  return dir + "/" + SegmentFilePrefix(base);
}

void Report(RecoveryReporter* reporter, const std::string& path, int64_t bytes,
            std::string_view why) {
  if (reporter != nullptr) reporter->Cut(path, bytes, why);
}

void RemoveSegmentFiles(const std::string& dir, int64_t base) {
  for (std::string_view suffix : {kLogSuffix, kIndexSuffix, kTimeIndexSuffix}) {
    ::unlink((Prefix(dir, base) + std::string(suffix)).c_str());
  }
}

Status WriteWholeFile(Env& env, const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  Status s = WriteFully(env, fd, bytes.data(), bytes.size(), 0, path);
  ::close(fd);
  return s;
}

// Old time-index entries that still describe records below `next_offset`.
std::vector<TimeIndexEntry> SalvageTimeEntries(const std::string& path, int64_t base,
                                               int64_t next_offset) {
  std::vector<TimeIndexEntry> out;
  auto file = MappedFile::Open(path);
  if (!file.ok()) return out;
  std::string_view bytes = file->view();
  for (size_t i = 0; i + kTimeIndexEntrySize <= bytes.size(); i += kTimeIndexEntrySize) {
    TimeIndexEntry e = TimeIndex::Decode(bytes.data() + i, base);
    if (e.offset >= next_offset || e.offset < base) break;
    if (!out.empty() &&
        (e.timestamp_ms < out.back().timestamp_ms || e.offset <= out.back().offset)) {
      break;
    }
    out.push_back(e);
  }
  return out;
}

// Rebuilds both indexes of the whole records in `log` with the append-time
// rule. A rebuilt entry's time is an upper bound of its record's real append
// time (the next salvaged entry's time, else `latest_ms`), so a time lookup
// may start early, never late.
// Returns whether either file changed.
Result<bool> RebuildIndexes(Env& env, const std::string& prefix, int64_t base, std::string_view log,
                            const TopicConfig& config, int64_t next_offset, int64_t latest_ms) {
  std::vector<TimeIndexEntry> old =
      SalvageTimeEntries(prefix + std::string(kTimeIndexSuffix), base, next_offset);
  std::string index, time_index;
  const char delim = config.delimiter();
  const int64_t interval = std::max<int64_t>(1, config.index_interval_bytes());
  int64_t offset = base, last_indexed = 0, last_ts = -1;
  size_t pos = 0, old_i = 0;
  while (pos < log.size()) {
    size_t threshold = last_indexed + interval;
    if (threshold >= log.size()) break;
    const void* d = std::memchr(log.data() + threshold - 1, delim, log.size() - threshold + 1);
    size_t start = static_cast<const char*>(d) - log.data() + 1;
    if (start >= log.size()) break;
    offset += CountDelimiters(log.data() + pos, start - pos, delim);
    char entry[kTimeIndexEntrySize];
    OffsetIndex::Encode(entry, base, offset, static_cast<uint32_t>(start));
    index.append(entry, kOffsetIndexEntrySize);
    while (old_i < old.size() && old[old_i].offset < offset) ++old_i;
    int64_t ts = old_i < old.size() ? old[old_i].timestamp_ms : latest_ms;
    if (ts > last_ts) {
      TimeIndex::Encode(entry, base, ts, offset);
      time_index.append(entry, kTimeIndexEntrySize);
      last_ts = ts;
    }
    last_indexed = start;
    pos = start;
  }
  bool changed = false;
  for (auto [suffix, bytes] : {std::pair{kIndexSuffix, &index}, {kTimeIndexSuffix, &time_index}}) {
    const std::string path = prefix + std::string(suffix);
    auto old_file = MappedFile::Open(path);
    if (old_file.ok() && old_file->view() == *bytes) continue;
    changed = true;
    TOPICFS_RETURN_IF_ERROR(WriteWholeFile(env, path, *bytes));
  }
  return changed;
}

// Cheap checks of a trusted sealed segment's indexes (no full read when the
// sizes and last entries are right).
bool IndexesLookSound(const std::string& prefix, const SegmentMeta& meta) {
  for (auto [suffix, entry_size] : {std::pair{kIndexSuffix, kOffsetIndexEntrySize},
                                    std::pair{kTimeIndexSuffix, kTimeIndexEntrySize}}) {
    auto file = MappedFile::Open(prefix + std::string(suffix));
    if (!file.ok()) return false;
    std::string_view bytes = file->view();
    Status s = entry_size == kOffsetIndexEntrySize
                   ? OffsetIndex::Check(bytes, meta.base_offset, meta.next_offset, meta.size_bytes)
                   : TimeIndex::Check(bytes, meta.base_offset, meta.next_offset);
    if (!s.ok()) return false;
  }
  return true;
}

struct Recovered {
  SegmentMeta meta;
  bool cut = false;
};

// Scans one .log, cuts what is not whole records, rebuilds its indexes.
Result<Recovered> RecoverSegment(Env& env, const std::string& dir, int64_t base,
                                 const std::optional<SegmentMeta>& old, const TopicConfig& config,
                                 int64_t recovery_point, TailTrust trust,
                                 RecoveryReporter* reporter) {
  const std::string prefix = Prefix(dir, base);
  const std::string log_path = prefix + std::string(kLogSuffix);
  if (reporter != nullptr) reporter->Scanned(log_path);
  Recovered out;
  bool indexes_changed = false;
  {
    auto file = MappedFile::Open(log_path);
    if (!file.ok()) return file.status();
    std::string_view data = file->view();
    LogScan scan = ScanLog(data, config.delimiter(), recovery_point - base, trust);
    std::string_view valid = data.substr(0, scan.valid_bytes);
    const int64_t latest = std::max(old ? old->max_timestamp_ms : -1, file->mtime_ms());
    out.meta.base_offset = base;
    out.meta.next_offset = base + scan.records;
    out.meta.size_bytes = scan.valid_bytes;
    out.meta.first_timestamp_ms =
        scan.records == 0
            ? -1
            : (old && old->first_timestamp_ms >= 0 ? old->first_timestamp_ms : latest);
    out.meta.max_timestamp_ms = scan.records == 0 ? -1 : latest;
    out.meta.xxh3 = XXH3_64bits(valid.data(), valid.size());
    Result<bool> rebuilt =
        RebuildIndexes(env, prefix, base, valid, config, out.meta.next_offset, latest);
    if (!rebuilt.ok()) return rebuilt.status();
    indexes_changed = *rebuilt;
    if (scan.valid_bytes < static_cast<int64_t>(data.size())) {
      out.cut = true;
      Report(reporter, log_path, data.size() - scan.valid_bytes, scan.cut_reason);
    }
  }
  if (out.cut && ::truncate(log_path.c_str(), out.meta.size_bytes) != 0) {
    return Status::FromErrno(errno, "truncate " + log_path);
  }
  if (indexes_changed) {
    Report(reporter, prefix + std::string(kIndexSuffix), 0, "indexes rebuilt from the log");
  }
  return out;
}

}  // namespace

LogScan ScanLog(std::string_view data, char delimiter, int64_t trusted_records, TailTrust trust) {
  LogScan scan;
  const void* last = memrchr(data.data(), delimiter, data.size());
  size_t valid = last == nullptr ? 0 : static_cast<const char*>(last) - data.data() + 1;
  if (valid < data.size()) scan.cut_reason = "torn tail: a partial last record";
  if (delimiter == '\n' && trust == TailTrust::kNewBoot) {
    size_t seen = 0;
    size_t from = trusted_records <= 0
                      ? 0
                      : SkipDelimiters(data.data(), valid, delimiter, trusted_records, &seen);
    if (from > valid) from = valid;  // fewer records than trusted: nothing to check
    static constexpr char kZeros[kNulRunBytes] = {};
    if (const void* run = memmem(data.data() + from, valid - from, kZeros, sizeof kZeros)) {
      size_t at = static_cast<const char*>(run) - data.data();
      const void* eol = at == 0 ? nullptr : memrchr(data.data(), '\n', at);
      valid = eol == nullptr ? 0 : static_cast<const char*>(eol) - data.data() + 1;
      scan.cut_reason = "a run of NUL bytes (zero fill from a crash) in a newline-delimited record";
    }
  }
  scan.valid_bytes = valid;
  scan.records = CountDelimiters(data.data(), valid, delimiter);
  return scan;
}

namespace {

// The steps of LoadPartition, in order; each works on the partition
// directory and records what it changes in `out`.
class PartitionLoader {
 public:
  PartitionLoader(const std::string& dir, const TopicConfig& config, const LoadOptions& options,
                  LoadedPartition* out)
      : dir_(dir),
        config_(config),
        clean_(options.clean),
        full_recovery_(options.full_recovery),
        trust_(options.trust),
        reporter_(options.reporter),
        out_(out),
        files_(options.files) {}

  // The bases of the .log files; indexes without their .log are removed
  // (Kafka deletes these too).
  Result<std::set<int64_t>> ListLogs() {
    std::set<int64_t> logs;
    std::vector<std::pair<int64_t, std::string>> indexes;
    DIR* d = ::opendir(dir_.c_str());
    if (d == nullptr) return Status::FromErrno(errno, "open " + dir_);
    while (struct dirent* e = ::readdir(d)) {
      auto name = ParseSegmentFileName(e->d_name);
      if (!name) continue;
      if (name->kind == SegmentFileKind::kLog)
        logs.insert(name->base_offset);
      else
        indexes.emplace_back(name->base_offset, e->d_name);
    }
    ::closedir(d);
    for (auto& [base, name] : indexes) {
      if (logs.count(base)) continue;
      ::unlink((dir_ + "/" + name).c_str());
      Report(reporter_, dir_ + "/" + name, 0, "index without a .log removed");
    }
    return logs;
  }

  // Walks the .log files in offset order, trusting what the catalog vouches
  // for and recovering the rest, into a chain whose offsets follow on.
  Result<std::vector<SegmentMeta>> Chain(const std::set<int64_t>& logs,
                                         std::map<int64_t, SegmentMeta>& known) {
    std::vector<SegmentMeta> metas;
    bool cut_earlier = false;
    bool recovered_last = false;
    for (int64_t base : logs) {
      const std::string prefix = Prefix(dir_, base);
      if (!metas.empty() && base < metas.back().next_offset) {
        MoveAside(prefix);
        continue;
      }
      // A recovered segment that ends short of the next one's base lost
      // records (power loss); a trusted one is followed by a gap only when a
      // segment was removed behind our back, and that gap is kept.
      if (!metas.empty() && base != metas.back().next_offset && recovered_last) {
        cut_earlier = true;
      }
      if (cut_earlier) {  // offsets after a cut cannot follow on: drop, as Kafka does
        Report(reporter_, prefix + std::string(kLogSuffix), 0, "segment after a cut removed");
        RemoveSegmentFiles(dir_, base);
        out_->changed = true;
        continue;
      }
      std::optional<SegmentMeta> old;
      if (auto it = known.find(base); it != known.end()) old = it->second;
      struct stat st;
      if (::stat((prefix + std::string(kLogSuffix)).c_str(), &st) != 0) continue;
      if (Trusted(prefix, old, st.st_size)) {
        metas.push_back(*old);
        recovered_last = false;
        continue;
      }
      Result<Recovered> r = RecoverSegment(files_->env(), dir_, base, old, config_,
                                           out_->state.recovery_point, trust_, reporter_);
      if (!r.ok()) return r.status();
      out_->changed = true;
      cut_earlier = r->cut;
      recovered_last = true;
      metas.push_back(r->meta);
    }
    return metas;
  }

  // Segments wholly below the log start were deleted by retention before a
  // crash could unlink them; a log start past every segment (files removed
  // behind our back) leaves none, and one empty segment is made there.
  void DropBelowLogStart(std::vector<SegmentMeta>& metas) {
    const int64_t start = out_->state.log_start_offset;
    while (metas.size() > 1 && metas[1].base_offset <= start) {
      Report(reporter_, Prefix(dir_, metas.front().base_offset) + std::string(kLogSuffix), 0,
             "segment below the log start removed");
      RemoveSegmentFiles(dir_, metas.front().base_offset);
      metas.erase(metas.begin());
      out_->changed = true;
    }
    if (!metas.empty() && metas.back().next_offset < start) {
      for (auto& m : metas) RemoveSegmentFiles(dir_, m.base_offset);
      metas.clear();
    }
    if (!metas.empty()) out_->state.log_start_offset = std::max(start, metas.front().base_offset);
  }

  // Opens the chain: every segment but the last sealed, the last active.
  Status Open(const std::vector<SegmentMeta>& metas) {
    for (size_t i = 0; i < metas.size(); ++i) {
      const bool want_sealed = i + 1 < metas.size();
      SegmentMeta open_as = metas[i];
      open_as.sealed = metas[i].sealed && want_sealed;
      auto seg = Segment::Open(dir_, open_as, config_.segment_index_bytes(), *files_);
      if (!seg.ok()) return seg.status();
      if (want_sealed && !metas[i].sealed) {
        TOPICFS_RETURN_IF_ERROR((*seg)->Seal());
        out_->changed = true;
      }
      out_->segments.push_back(*seg);
    }
    if (out_->segments.empty()) {
      auto seg = Segment::Create(dir_, out_->state.log_start_offset, config_.segment_index_bytes(),
                                 *files_);
      if (!seg.ok()) return seg.status();
      out_->segments.push_back(*seg);
      out_->changed = true;
    }
    return Status::OK();
  }

 private:
  // A catalog entry vouches for a segment whose size matches, after a clean
  // stop, or when it is wholly below the recovery point: it was flushed with
  // that size and has not grown since. The active segment of a partition
  // nobody appended to since its last flush is one, so recovery after a
  // crash looks only at what was appended after each recovery point (DESIGN
  // §4: it grows with the unflushed tail, not with the store).
  bool Trusted(const std::string& prefix, const std::optional<SegmentMeta>& old,
               int64_t file_size) const {
    if (full_recovery_ || !old || file_size != old->size_bytes) return false;
    const bool synced = old->next_offset <= out_->state.recovery_point;
    return (clean_ || synced) && IndexesLookSound(prefix, *old);
  }

  // A stray file whose offsets overlap the segment before it: the earlier
  // segment is the one the offsets follow from. Its bytes are kept aside.
  void MoveAside(const std::string& prefix) {
    const std::string log = prefix + std::string(kLogSuffix);
    ::rename(log.c_str(), (log + ".overlap").c_str());
    for (std::string_view suffix : {kIndexSuffix, kTimeIndexSuffix}) {
      ::unlink((prefix + std::string(suffix)).c_str());
    }
    Report(reporter_, log, 0, "overlaps the previous segment; moved aside to .log.overlap");
    out_->changed = true;
  }

  const std::string& dir_;
  const TopicConfig& config_;
  const bool clean_;
  const bool full_recovery_;
  const TailTrust trust_;
  RecoveryReporter* const reporter_;  // borrowed; may be null
  LoadedPartition* const out_;
  DescriptorCache* const files_;  // borrowed
};

}  // namespace

Result<LoadedPartition> LoadPartition(const std::string& dir, const TopicConfig& config,
                                      std::optional<PartitionState> stored_state,
                                      std::vector<SegmentMeta> catalog,
                                      const LoadOptions& options) {
  LoadedPartition out;
  out.state = stored_state.value_or(PartitionState{});
  out.changed = !stored_state.has_value();
  PartitionLoader loader(dir, config, options, &out);

  Result<std::set<int64_t>> logs = loader.ListLogs();
  if (!logs.ok()) return logs.status();
  std::map<int64_t, SegmentMeta> known;
  for (SegmentMeta& m : catalog) known[m.base_offset] = std::move(m);
  if (known.size() != logs->size()) out.changed = true;

  Result<std::vector<SegmentMeta>> metas = loader.Chain(*logs, known);
  if (!metas.ok()) return metas.status();
  loader.DropBelowLogStart(*metas);
  TOPICFS_RETURN_IF_ERROR(loader.Open(*metas));

  const int64_t leo = out.segments.back()->next_offset();
  out.state.recovery_point = options.clean ? leo : std::min(out.state.recovery_point, leo);
  for (auto& seg : out.segments) out.catalog.push_back(seg->Meta(false));
  return out;
}

}  // namespace topicfs::store
