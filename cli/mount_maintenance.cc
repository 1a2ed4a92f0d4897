// MountAccess's retention and verification: both work from what the mount
// shows (segment files, their sizes and user.topicfs.* facts) and change the
// store only through `rm` of the oldest sealed segment, as a user could.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "cli/fs_util.h"
#include "cli/mount_access.h"
#include "store/facts.h"
#include "store/file_hash.h"
#include "store/index_format.h"
#include "store/names.h"
#include "store/retention.h"

namespace topicfs::cli {
namespace {

using store::Result;
using store::Status;

std::string IndexPath(const std::string& log_path, std::string_view suffix) {
  return log_path.substr(0, log_path.size() - store::kLogSuffix.size()) + std::string(suffix);
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// XXH3-64 of a whole file as verify writes it. O_DIRECT reads the disk
// (through the daemon, or with passthrough straight from the segment file):
// a page cache kept for sealed segments would otherwise hide a change made
// behind the mount's back.
Result<std::string> HashFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
  if (fd < 0 && errno == EINVAL) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return store::Status::ForErrno(errno, "open " + path);
  Result<uint64_t> hash = store::Xxh3OfFile(fd, -1, path);
  ::close(fd);
  if (!hash.ok()) return hash.status();
  return store::Xxh3Hex(*hash);
}

}  // namespace

Result<std::vector<MountAccess::SegmentFile>> MountAccess::ListSegments(
    const std::string& partition_dir) const {
  Result<std::vector<std::string>> names = ListDir(partition_dir);
  if (!names.ok()) return names.status();
  std::vector<SegmentFile> segments;
  for (const std::string& name : *names) {
    std::optional<store::SegmentFileName> parsed = store::ParseSegmentFileName(name);
    if (parsed && parsed->kind == store::SegmentFileKind::kLog) {
      segments.push_back({parsed->base_offset, partition_dir + "/" + name, true});
    }
  }
  std::sort(segments.begin(), segments.end(), [](const SegmentFile& a, const SegmentFile& b) {
    return a.base_offset < b.base_offset;
  });
  char target[256];
  ssize_t n = ::readlink((partition_dir + "/current").c_str(), target, sizeof target - 1);
  std::optional<store::SegmentFileName> active;
  if (n > 0) {
    std::string_view t(target, n);
    active = store::ParseSegmentFileName(t.substr(t.rfind('/') + 1));
  }
  for (SegmentFile& s : segments) {
    s.sealed = active ? s.base_offset != active->base_offset : &s != &segments.back();
  }
  return segments;
}

Result<std::vector<std::string>> MountAccess::TopicOrAll(const std::optional<std::string>& topic) {
  if (!topic) return ListTopics();
  TOPICFS_RETURN_IF_ERROR(CheckTopic(*topic));
  return std::vector<std::string>{*topic};
}

Result<std::vector<store::RetentionAction>> MountAccess::ApplyRetention(
    const std::optional<std::string>& topic, bool dry_run, int64_t now_ms) {
  Result<std::vector<std::string>> topics = TopicOrAll(topic);
  if (!topics.ok()) return topics.status();
  std::vector<store::RetentionAction> actions;
  for (const std::string& t : *topics) {
    Result<std::vector<store::RetentionAction>> done = ApplyRetentionToTopic(t, dry_run, now_ms);
    if (!done.ok()) return done.status();
    actions.insert(actions.end(), done->begin(), done->end());
  }
  return actions;
}

Result<std::vector<store::RetentionAction>> MountAccess::ApplyRetentionToTopic(
    const std::string& topic, bool dry_run, int64_t now_ms) {
  const std::string dir = TopicDir(topic);
  store::RetentionPolicy policy;
  Result<int64_t> ms = GetXattrInt(dir, TopicfsXattr("retention.ms"));
  Result<int64_t> bytes = GetXattrInt(dir, TopicfsXattr("retention.bytes"));
  if (!ms.ok()) return ms.status();
  if (!bytes.ok()) return bytes.status();
  policy.retention_ms = *ms;
  policy.retention_bytes = *bytes;

  std::vector<store::RetentionAction> actions;
  Result<std::vector<int32_t>> ids = ListPartitionIds(dir);
  if (!ids.ok()) return ids.status();
  for (int32_t p : *ids) {
    Result<std::vector<SegmentFile>> segments = ListSegments(PartitionDir(topic, p));
    if (!segments.ok()) return segments.status();
    std::vector<store::SegmentSummary> summaries;
    for (const SegmentFile& s : *segments) {
      Result<int64_t> max_ts = GetXattrInt(s.log_path, TopicfsXattr(store::facts::kMaxTimestampMs));
      summaries.push_back({s.base_offset, std::max<int64_t>(FileSize(s.log_path), 0),
                           max_ts.ok() ? *max_ts : -1, s.sealed});
    }
    int count = store::SegmentsToDelete(summaries, policy, now_ms);
    for (int i = 0; i < count; ++i) {
      const SegmentFile& s = (*segments)[i];
      if (!dry_run && ::unlink(s.log_path.c_str()) != 0) {
        if (errno == ENOENT) continue;  // the daemon's own retention was first
        return store::Status::ForErrno(errno, "rm " + s.log_path);
      }
      actions.push_back({topic, p, s.base_offset, summaries[i].size_bytes});
    }
  }
  return actions;
}

Result<std::vector<store::VerifyProblem>> MountAccess::Verify(const VerifyProgress& progress) {
  std::vector<store::VerifyProblem> problems;
  Result<std::vector<std::string>> topics = ListTopics();
  if (!topics.ok()) return topics.status();
  std::vector<SegmentFile> all;
  for (const std::string& topic : *topics) {
    Result<std::vector<int32_t>> ids = ListPartitionIds(TopicDir(topic));
    if (!ids.ok()) {
      problems.push_back({TopicDir(topic), ids.status().ToString()});
      continue;
    }
    for (int32_t p : *ids) {
      Result<std::vector<SegmentFile>> segments = ListSegments(PartitionDir(topic, p));
      if (!segments.ok()) {
        problems.push_back({PartitionDir(topic, p), segments.status().ToString()});
        continue;
      }
      all.insert(all.end(), segments->begin(), segments->end());
    }
  }
  int64_t total = 0, done = 0;
  for (const SegmentFile& s : all) total += std::max<int64_t>(0, FileSize(s.log_path));
  for (const SegmentFile& s : all) {
    VerifySegment(s, &problems);
    done += std::max<int64_t>(0, FileSize(s.log_path));
    if (progress) progress(done, total);
  }
  return problems;
}

Result<std::vector<PartitionTier>> MountAccess::TierStatus(
    const std::optional<std::string>& topic) {
  Result<std::vector<std::string>> topics = TopicOrAll(topic);
  if (!topics.ok()) return topics.status();
  namespace facts = store::facts;
  std::vector<PartitionTier> out;
  for (const std::string& t : *topics) {
    Result<std::vector<int32_t>> ids = ListPartitionIds(TopicDir(t));
    if (!ids.ok()) return ids.status();
    for (int32_t p : *ids) {
      const std::string dir = PartitionDir(t, p);
      PartitionTier row{t, p, {}};
      store::Store::TierStatus& s = row.status;
      for (auto [name, field] : {std::pair{facts::kLogStartOffset, &s.log_start_offset},
                                 {facts::kLocalLogStartOffset, &s.local_log_start_offset},
                                 {facts::kLogEndOffset, &s.log_end_offset},
                                 {facts::kLocalSizeBytes, &s.local_bytes},
                                 {facts::kRemoteSizeBytes, &s.remote_bytes},
                                 {facts::kTierPendingCopies, &s.pending_copies},
                                 {facts::kTierPendingDeletes, &s.pending_deletes}}) {
        Result<int64_t> v = GetXattrInt(dir, TopicfsXattr(name));
        if (!v.ok()) return v.status();
        *field = *v;
      }
      Result<std::string> error = GetXattr(dir, TopicfsXattr(facts::kTierError));
      if (error.ok()) s.last_error = *error;  // absent while the tier works
      out.push_back(std::move(row));
    }
  }
  return out;
}

Result<bool> MountAccess::TierPaused(std::string_view topic) {
  TOPICFS_RETURN_IF_ERROR(CheckTopic(topic));
  Result<std::string> v = GetXattr(TopicDir(topic), TopicfsXattr(store::facts::kTierPaused));
  if (!v.ok()) return v.status();
  return *v == "true";
}

Status MountAccess::SetTierPaused(std::string_view topic, bool paused) {
  TOPICFS_RETURN_IF_ERROR(CheckTopic(topic));
  return SetXattr(TopicDir(topic), TopicfsXattr(store::facts::kTierPaused),
                  paused ? "true" : "false");
}

void MountAccess::VerifySegment(const SegmentFile& seg,
                                std::vector<store::VerifyProblem>* problems) {
  const int64_t size = FileSize(seg.log_path);
  Result<int64_t> next = GetXattrInt(seg.log_path, TopicfsXattr(store::facts::kNextOffset));
  if (size < 0 || !next.ok()) {
    problems->push_back({seg.log_path, size < 0 ? "cannot stat" : next.status().ToString()});
    return;
  }
  if (seg.sealed) {
    Result<std::string> expected = GetXattr(seg.log_path, TopicfsXattr(store::facts::kXxh3));
    Result<std::string> actual = HashFile(seg.log_path);
    if (!expected.ok() || !actual.ok()) {
      problems->push_back(
          {seg.log_path, (!expected.ok() ? expected.status() : actual.status()).ToString()});
    } else if (*expected != *actual) {
      problems->push_back({seg.log_path, store::HashMismatch(*actual, *expected)});
    }
  }
  for (auto [kind, suffix] : {std::pair{store::IndexKind::kOffset, store::kIndexSuffix},
                              std::pair{store::IndexKind::kTime, store::kTimeIndexSuffix}}) {
    const std::string index = IndexPath(seg.log_path, suffix);
    Result<std::string> bytes = ReadWholeFile(index);
    Status s =
        bytes.ok() ? store::CheckIndex(kind, *bytes, seg.base_offset, *next, size) : bytes.status();
    if (!s.ok()) problems->push_back({index, s.ToString()});
  }
}

}  // namespace topicfs::cli
