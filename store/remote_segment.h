// A segment's life in the remote tier (DESIGN §9), Kafka's states, and the
// two texts that describe it: the catalog record kept in RocksDB and the
// manifest uploaded beside the segment's objects (docs/FORMAT.md).
//
// Objects of one segment, under the tier's prefix:
//   <topic>-<topic tier id>/<partition>/<20-digit base>.log
//                                              .index .timeindex .manifest
// The topic tier id is drawn when the topic first uploads, so a topic
// deleted and made again under the same name never shares an object name
// with the old one, whose objects may still be waiting for deletion.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/segment_meta.h"
#include "store/status.h"

namespace topicfs::store {

enum class RemoteState : uint8_t {
  kCopyStarted,     // objects may be partly there; the next mount copies again
  kCopyFinished,    // every object is there; the local copy may go
  kDeleteStarted,   // retention (or the topic's deletion) let it go
  kDeleteFinished,  // every object is gone; the record goes with it
};
std::string_view RemoteStateName(RemoteState state);

struct RemoteSegment {
  RemoteState state = RemoteState::kCopyStarted;
  // The objects' common key, without the suffix.
  std::string object;
  SegmentMeta meta;  // sealed
  int64_t index_bytes = 0;
  int64_t time_index_bytes = 0;

  std::string LogKey() const;
  std::string IndexKey() const;
  std::string TimeIndexKey() const;
  std::string ManifestKey() const;

  // The catalog record: "name=value" lines.
  std::string Encode() const;
  static Result<RemoteSegment> Decode(std::string_view text);
  // The manifest: the record without its state, with its topic and partition.
  std::string EncodeManifest(std::string_view topic, int32_t partition) const;
  struct Manifest;
  static Result<Manifest> DecodeManifest(std::string_view text);
};

struct RemoteSegment::Manifest {
  std::string topic;
  int32_t partition = 0;
  RemoteSegment segment;  // state kCopyFinished
};

inline constexpr std::string_view kManifestSuffix = ".manifest";

// "<topic>-<tier id>/<partition>/<20-digit base>".
std::string RemoteObjectName(std::string_view topic, std::string_view tier_id, int32_t partition,
                             int64_t base_offset);
// A fresh topic tier id: 16 hex digits.
std::string NewTopicTierId();

}  // namespace topicfs::store
