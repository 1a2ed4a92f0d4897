// The names under which a mount shows facts and takes controls as extended
// attributes (DESIGN §1.6, §7): one list for fusefs/, which answers them,
// and cli/, which reads them through a mount. Topic configs are named by
// topic_config.h.
#pragma once

#include <string>
#include <string_view>

namespace topicfs::store::facts {

inline constexpr std::string_view kPrefix = "user.topicfs.";

// Partition facts.
inline constexpr std::string_view kLogStartOffset = "log_start_offset";
inline constexpr std::string_view kLogEndOffset = "log_end_offset";
inline constexpr std::string_view kSizeBytes = "size_bytes";
inline constexpr std::string_view kSegmentCount = "segment_count";
inline constexpr std::string_view kError = "error";  // only while a failed fsync stops it
// The first offset on the local disk (DESIGN §9); log_start_offset is the
// whole log's, remote part included.
inline constexpr std::string_view kLocalLogStartOffset = "local_log_start_offset";
// The remote tier's view of a partition (`topicfs tier status`).
inline constexpr std::string_view kLocalSizeBytes = "local_size_bytes";
inline constexpr std::string_view kRemoteSizeBytes = "remote_size_bytes";
inline constexpr std::string_view kTierPendingCopies = "tier_pending_copies";
inline constexpr std::string_view kTierPendingDeletes = "tier_pending_deletes";
inline constexpr std::string_view kTierError = "tier_error";  // only while the tier fails
// Segment (.log) facts.
inline constexpr std::string_view kBaseOffset = "base_offset";
inline constexpr std::string_view kNextOffset = "next_offset";
inline constexpr std::string_view kRecordCount = "record_count";
inline constexpr std::string_view kMaxTimestampMs = "max_timestamp_ms";
inline constexpr std::string_view kXxh3 = "xxh3";  // sealed segments only
// Where the segment is: "local", "both" (copied to the remote tier) or
// "remote" (held only there).
inline constexpr std::string_view kTier = "tier";
// groups/<g>.
inline constexpr std::string_view kCommittedOffset = "committed_offset";  // read and write
inline constexpr std::string_view kLag = "lag";
// A topic directory: deletes it when set to its name.
inline constexpr std::string_view kDelete = "delete";
// A topic directory: "true" pauses its copies to the remote tier, "false"
// resumes them (`topicfs tier pause|resume`).
inline constexpr std::string_view kTierPaused = "tier_paused";

// Every read-only fact name, for refusing writes to them.
inline constexpr std::string_view kReadOnly[] = {
    kLogStartOffset, kLogEndOffset, kSizeBytes, kSegmentCount,   kError,
    kBaseOffset,     kNextOffset,   kRecordCount, kMaxTimestampMs, kXxh3,
    kLag,            kLocalLogStartOffset, kTier, kLocalSizeBytes, kRemoteSizeBytes,
    kTierPendingCopies, kTierPendingDeletes, kTierError};

// "user.topicfs." + `name`.
inline std::string Xattr(std::string_view name) { return std::string(kPrefix) + std::string(name); }

}  // namespace topicfs::store::facts
