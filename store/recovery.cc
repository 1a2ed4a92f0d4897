#include "store/recovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/coding.h"
#include "store/data_dir.h"
#include "store/file_io.h"
#include "store/index_rebuild.h"
#include "store/mapped_file.h"
#include "store/names.h"
#include "store/record_scan.h"

namespace topicfs::store {
namespace {

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

// Rebuilds both indexes of the whole records in `log` (BuildIndexes) and,
// with `write`, writes the files that differ. Returns whether either file
// differs; `newest_time_ms` gets BuiltIndexes::newest_time_ms.
Result<bool> RebuildIndexes(Env& env, const std::string& prefix, int64_t base, std::string_view log,
                            const TopicConfig& config, int64_t next_offset, int64_t latest_ms,
                            bool write, int64_t* newest_time_ms) {
  const std::string time_path = prefix + std::string(kTimeIndexSuffix);
  BuiltIndexes built;
  {
    auto old_time = MappedFile::Open(env, time_path);
    built = BuildIndexes(log, base, next_offset, latest_ms,
                         old_time.ok() ? old_time->view() : std::string_view(), config.delimiter(),
                         config.index_interval_bytes());
  }
  *newest_time_ms = built.newest_time_ms;
  bool changed = false;
  for (auto [suffix, bytes] :
       {std::pair{kIndexSuffix, &built.index}, {kTimeIndexSuffix, &built.time_index}}) {
    const std::string path = prefix + std::string(suffix);
    auto old_file = MappedFile::Open(env, path);
    if (old_file.ok() && old_file->view() == *bytes) continue;
    changed = true;
    if (write) TOPICFS_RETURN_IF_ERROR(ReplaceIndexFile(env, path, *bytes));
  }
  return changed;
}

// The checks of a trusted segment's indexes that DESIGN §4 lists, run at
// open for the segment that becomes active (a sealed one is checked on its
// first lookup instead: Segment::CheckIndexes).
bool IndexesLookSound(Env& env, const std::string& prefix, const SegmentMeta& meta) {
  auto index = MappedFile::Open(env, prefix + std::string(kIndexSuffix));
  auto time_index = MappedFile::Open(env, prefix + std::string(kTimeIndexSuffix));
  auto view = [](const Result<MappedFile>& f) {
    return f.ok() ? std::optional<std::string_view>(f->view()) : std::nullopt;
  };
  return IndexesSound(view(index), view(time_index), meta);
}

// The longest a kernel's coarse clock lags the wall clock: one tick at
// HZ=100, the slowest Linux configures.
constexpr int64_t kCoarseClockTickMs = 10;

struct Recovered {
  SegmentMeta meta;
  bool cut = false;
};

// Scans one .log, cuts what is not whole records, rebuilds its indexes;
// without `repair` only reports what it would do.
Result<Recovered> RecoverSegment(Env& env, const std::string& dir, int64_t base,
                                 const std::optional<SegmentMeta>& old, const TopicConfig& config,
                                 int64_t recovery_point, TailTrust trust, bool repair,
                                 RecoveryReporter* reporter) {
  const std::string prefix = Prefix(dir, base);
  const std::string log_path = prefix + std::string(kLogSuffix);
  if (reporter != nullptr) reporter->Scanned(log_path);
  Recovered out;
  bool indexes_changed = false;
  {
    auto file = MappedFile::Open(env, log_path);
    if (!file.ok()) return file.status();
    std::string_view data = file->view();
    LogScan scan = ScanLog(data, config.delimiter(), recovery_point - base, trust);
    std::string_view valid = data.substr(0, scan.valid_bytes);
    // An upper bound of the records' append times. The kernel stamps mtime
    // from its coarse clock, up to a tick behind the wall clock the records
    // were stamped with (3 ms was seen on this machine). A bound too high
    // only starts a time lookup earlier; one too low starts it late.
    const int64_t latest =
        std::max(old ? old->max_timestamp_ms : -1, file->mtime_ms() + kCoarseClockTickMs);
    out.meta.base_offset = base;
    out.meta.next_offset = base + scan.records;
    out.meta.size_bytes = scan.valid_bytes;
    out.meta.first_timestamp_ms =
        scan.records == 0
            ? -1
            : (old && old->first_timestamp_ms >= 0 ? old->first_timestamp_ms : latest);
    out.meta.max_timestamp_ms = scan.records == 0 ? -1 : latest;
    out.meta.xxh3 = XXH3_64bits(valid.data(), valid.size());
    int64_t newest_time_ms = -1;
    Result<bool> rebuilt = RebuildIndexes(env, prefix, base, valid, config, out.meta.next_offset,
                                          latest, repair, &newest_time_ms);
    if (!rebuilt.ok()) return rebuilt.status();
    indexes_changed = *rebuilt;
    // The old .timeindex may hold times newer than the file's mtime (a
    // coarser clock, a copied store): the segment is as new as the newest,
    // or a time lookup would pass it by and start late.
    if (scan.records > 0) {
      out.meta.max_timestamp_ms = std::max(out.meta.max_timestamp_ms, newest_time_ms);
    }
    if (scan.valid_bytes < static_cast<int64_t>(data.size())) {
      out.cut = true;
      Report(reporter, log_path, data.size() - scan.valid_bytes, scan.cut_reason);
    }
  }
  if (out.cut && repair && ::truncate(log_path.c_str(), out.meta.size_bytes) != 0) {
    return Status::FromErrno(errno, "truncate " + log_path);
  }
  if (indexes_changed) {
    Report(reporter, prefix + std::string(kIndexSuffix), 0,
           repair ? "indexes rebuilt from the log" : "indexes do not match the log");
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
        read_only_(options.read_only),
        reporter_(options.reporter),
        out_(out),
        files_(options.files) {}

  ~PartitionLoader() {
    if (dir_fd_ >= 0) ::close(dir_fd_);
  }

  // The bases of the .log files, ascending; indexes without their .log are
  // removed (Kafka deletes these too), and so are rebuilt indexes a crash
  // left under their temporary name. Notes which segments have both index
  // files: one without them is not trusted (DESIGN §4 rebuilds a missing
  // index), and the listing tells it without a look at the file.
  Result<std::vector<int64_t>> ListLogs() {
    dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd_ < 0) return Status::FromErrno(errno, "open " + dir_);
    int listing_fd = ::dup(dir_fd_);
    DIR* d = listing_fd < 0 ? nullptr : ::fdopendir(listing_fd);
    if (d == nullptr) {
      if (listing_fd >= 0) ::close(listing_fd);
      return Status::FromErrno(errno, "open " + dir_);
    }
    std::vector<SegmentFileName> files;
    while (struct dirent* e = ::readdir(d)) {
      if (auto name = ParseSegmentFileName(e->d_name)) {
        files.push_back(*name);
      } else if (std::string_view(e->d_name).ends_with(kRebuiltSuffix) && !read_only_) {
        ::unlinkat(dir_fd_, e->d_name, 0);
      }
    }
    ::closedir(d);
    std::sort(files.begin(), files.end(), [](const SegmentFileName& a, const SegmentFileName& b) {
      return a.base_offset < b.base_offset || (a.base_offset == b.base_offset && a.kind < b.kind);
    });
    std::vector<int64_t> logs;
    for (size_t i = 0; i < files.size();) {
      const int64_t base = files[i].base_offset;
      bool log = false, index = false, time_index = false;
      size_t end = i;
      for (; end < files.size() && files[end].base_offset == base; ++end) {
        log |= files[end].kind == SegmentFileKind::kLog;
        index |= files[end].kind == SegmentFileKind::kIndex;
        time_index |= files[end].kind == SegmentFileKind::kTimeIndex;
      }
      if (log) {
        logs.push_back(base);
        if (index && time_index) indexed_.push_back(base);
      } else {
        for (; i < end; ++i) {
          const std::string path =
              Prefix(dir_, base) + std::string(files[i].kind == SegmentFileKind::kIndex
                                                   ? kIndexSuffix
                                                   : kTimeIndexSuffix);
          if (!read_only_) ::unlink(path.c_str());
          Report(reporter_, path, 0, Fixed("index without a .log", " removed"));
        }
      }
      i = end;
    }
    return logs;
  }

  // Walks the .log files in offset order, trusting what the catalog vouches
  // for and recovering the rest, into a chain whose offsets follow on.
  // `known` is the catalog sorted by base; its trusted entries move out.
  Result<std::vector<SegmentMeta>> Chain(const std::vector<int64_t>& logs,
                                         std::vector<SegmentMeta>& known) {
    std::vector<SegmentMeta> metas;
    metas.reserve(logs.size());
    bool cut_earlier = false;
    bool recovered_last = false;
    for (int64_t base : logs) {
      if (!metas.empty() && base < metas.back().next_offset) {
        MoveAside(Prefix(dir_, base));
        continue;
      }
      // A recovered segment that ends short of the next one's base lost
      // records; a trusted one is followed by a gap only when a segment was
      // removed behind our back, and that gap is kept.
      if (!metas.empty() && base != metas.back().next_offset && recovered_last) {
        cut_earlier = true;
      }
      // Offsets after a cut cannot follow on when the cut lost unflushed
      // records to a crash of the machine: those segments go, as Kafka drops
      // the unflushed segments after a truncation. Anything else cut is
      // damage to that one file (every acknowledged byte was in the page
      // cache, or this segment starts below the recovery point, flushed):
      // the segments after it keep their records, after a gap in offsets.
      if (cut_earlier && trust_ == TailTrust::kNewBoot && base >= out_->state.recovery_point) {
        Report(reporter_, Prefix(dir_, base) + std::string(kLogSuffix), 0,
               Fixed("segment after a cut", " removed"));
        if (!read_only_) RemoveSegmentFiles(dir_, base);
        out_->changed = true;
        continue;
      }
      auto it = std::lower_bound(known.begin(), known.end(), base,
                                 [](const SegmentMeta& m, int64_t b) { return m.base_offset < b; });
      SegmentMeta* old = it != known.end() && it->base_offset == base ? &*it : nullptr;
      struct stat st;
      const std::string log_name = SegmentFilePrefix(base) + std::string(kLogSuffix);
      if (::fstatat(dir_fd_, log_name.c_str(), &st, 0) != 0) continue;
      if (Trusted(base, old, st.st_size, /*becomes_active=*/base == logs.back())) {
        if (old->sealed) unchecked_.push_back(base);
        metas.push_back(std::move(*old));
        recovered_last = false;
        cut_earlier = false;  // kept after a gap: the chain follows on from it
        continue;
      }
      Result<Recovered> r =
          RecoverSegment(files_->env(), dir_, base,
                         old != nullptr ? std::optional<SegmentMeta>(*old) : std::nullopt, config_,
                         out_->state.recovery_point, trust_, !read_only_, reporter_);
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
             Fixed("segment below the log start", " removed"));
      if (!read_only_) RemoveSegmentFiles(dir_, metas.front().base_offset);
      metas.erase(metas.begin());
      out_->changed = true;
    }
    if (!metas.empty() && metas.back().next_offset < start) {
      if (!read_only_) {
        for (auto& m : metas) RemoveSegmentFiles(dir_, m.base_offset);
      }
      metas.clear();
    }
    if (!metas.empty()) out_->state.log_start_offset = std::max(start, metas.front().base_offset);
  }

  // Opens the chain: every segment but the last sealed, the last active.
  // The last segment takes appends, so its indexes are checked now even
  // when the chain trusted it as a sealed one (a later file moved aside):
  // unsound, it is recovered as the chain would have.
  Status CheckLast(std::vector<SegmentMeta>& metas) {
    if (metas.empty()) return Status::OK();
    const int64_t base = metas.back().base_offset;
    if (!std::binary_search(unchecked_.begin(), unchecked_.end(), base) ||
        IndexesLookSound(files_->env(), Prefix(dir_, base), metas.back())) {
      return Status::OK();
    }
    Result<Recovered> r = RecoverSegment(files_->env(), dir_, base, metas.back(), config_,
                                         out_->state.recovery_point, trust_, !read_only_,
                                         reporter_);
    if (!r.ok()) return r.status();
    metas.back() = r->meta;
    out_->changed = true;
    return Status::OK();
  }

  Status Open(const std::vector<SegmentMeta>& metas) {
    for (size_t i = 0; i < metas.size(); ++i) {
      const bool want_sealed = i + 1 < metas.size();
      SegmentMeta open_as = metas[i];
      // Read-only, a recovered segment that should be sealed is opened so,
      // from its scan (Seal() writes).
      open_as.sealed = want_sealed && (metas[i].sealed || read_only_);
      auto seg = Segment::Open(dir_, open_as, config_.segment_index_bytes(), *files_);
      if (!seg.ok()) return seg.status();
      if (want_sealed && !open_as.sealed) {
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
  // §4: it grows with the unflushed tail, not with the store). The indexes
  // of the segment that will take appends are checked now; a sealed
  // segment's on the first lookup through them (Segment::CheckIndexes), so
  // a mount reads no sealed index file.
  bool Trusted(int64_t base, const SegmentMeta* old, int64_t file_size, bool becomes_active) const {
    if (full_recovery_ || !old || file_size != old->size_bytes) return false;
    if (!std::binary_search(indexed_.begin(), indexed_.end(), base)) return false;
    const bool synced = old->next_offset <= out_->state.recovery_point;
    if (!clean_ && !synced) return false;
    return (old->sealed && !becomes_active) ||
           IndexesLookSound(files_->env(), Prefix(dir_, base), *old);
  }

  // What was found, with what was done about it unless read-only.
  std::string Fixed(std::string_view found, std::string_view done) const {
    return std::string(found) + std::string(read_only_ ? "" : done);
  }

  // A stray file whose offsets overlap the segment before it: the earlier
  // segment is the one the offsets follow from. Its bytes are kept aside.
  void MoveAside(const std::string& prefix) {
    const std::string log = prefix + std::string(kLogSuffix);
    if (!read_only_) {
      ::rename(log.c_str(), (log + ".overlap").c_str());
      for (std::string_view suffix : {kIndexSuffix, kTimeIndexSuffix}) {
        ::unlink((prefix + std::string(suffix)).c_str());
      }
    }
    Report(reporter_, log, 0,
           Fixed("overlaps the previous segment", "; moved aside to .log.overlap"));
    out_->changed = true;
  }

  const std::string& dir_;
  const TopicConfig& config_;
  const bool clean_;
  const bool full_recovery_;
  const TailTrust trust_;
  const bool read_only_;              // report only, change no file
  RecoveryReporter* const reporter_;  // borrowed; may be null
  LoadedPartition* const out_;
  DescriptorCache* const files_;    // borrowed
  std::vector<int64_t> unchecked_;  // sealed, trusted without an index check; ascending
  std::vector<int64_t> indexed_;    // segments with both index files; ascending
  int dir_fd_ = -1;                 // dir_, for lookups of one name
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

  Result<std::vector<int64_t>> logs = loader.ListLogs();
  if (!logs.ok()) return logs.status();
  auto by_base = [](const SegmentMeta& a, const SegmentMeta& b) {
    return a.base_offset < b.base_offset;
  };
  if (!std::is_sorted(catalog.begin(), catalog.end(), by_base)) {
    std::sort(catalog.begin(), catalog.end(), by_base);
  }
  if (catalog.size() != logs->size()) out.changed = true;

  Result<std::vector<SegmentMeta>> metas = loader.Chain(*logs, catalog);
  if (!metas.ok()) return metas.status();
  loader.DropBelowLogStart(*metas);
  TOPICFS_RETURN_IF_ERROR(loader.CheckLast(*metas));
  TOPICFS_RETURN_IF_ERROR(loader.Open(*metas));

  const int64_t leo = out.segments.back()->next_offset();
  out.state.recovery_point = options.clean ? leo : std::min(out.state.recovery_point, leo);
  return out;
}

}  // namespace topicfs::store
