#include "store/remote_segment.h"

#include <array>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <random>

#include "store/names.h"
#include "store/units.h"

namespace topicfs::store {
namespace {

constexpr std::array<std::string_view, 4> kStateNames = {
    "COPY_SEGMENT_STARTED", "COPY_SEGMENT_FINISHED", "DELETE_SEGMENT_STARTED",
    "DELETE_SEGMENT_FINISHED"};

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

void Line(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append("=").append(value).push_back('\n');
}

// The lines of a record or manifest; a repeated or malformed line is corruption.
Result<std::map<std::string, std::string, std::less<>>> Fields(std::string_view text) {
  std::map<std::string, std::string, std::less<>> fields;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos ||
        !fields.emplace(line.substr(0, eq), line.substr(eq + 1)).second) {
      return Status::Corruption("bad remote segment line '" + std::string(line) + "'");
    }
  }
  return fields;
}

class FieldReader {
 public:
  explicit FieldReader(const std::map<std::string, std::string, std::less<>>& fields)
      : fields_(fields) {}
  std::string_view Text(std::string_view name) {
    auto it = fields_.find(name);
    if (it == fields_.end()) {
      Fail(name);
      return {};
    }
    return it->second;
  }
  int64_t Number(std::string_view name) {
    std::optional<int64_t> v = ParseSignedDecimal(Text(name));
    if (!v) Fail(name);
    return v.value_or(0);
  }
  uint64_t Hex(std::string_view name) {
    std::string_view t = Text(name);
    uint64_t v = 0;
    if (t.size() != 16) Fail(name);
    for (char c : t) {
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) Fail(name);
      v = v << 4 | static_cast<uint64_t>(d < 0 ? 0 : d);
    }
    return v;
  }
  Status status() const { return status_; }

 private:
  void Fail(std::string_view name) {
    if (status_.ok()) {
      status_ = Status::Corruption("remote segment: missing or bad " + std::string(name));
    }
  }
  const std::map<std::string, std::string, std::less<>>& fields_;
  Status status_;
};

void EncodeBody(const RemoteSegment& s, std::string& out) {
  Line(out, "object", s.object);
  Line(out, "base_offset", std::to_string(s.meta.base_offset));
  Line(out, "next_offset", std::to_string(s.meta.next_offset));
  Line(out, "size", std::to_string(s.meta.size_bytes));
  Line(out, "first_timestamp_ms", std::to_string(s.meta.first_timestamp_ms));
  Line(out, "max_timestamp_ms", std::to_string(s.meta.max_timestamp_ms));
  Line(out, "xxh3", Hex64(s.meta.xxh3));
  Line(out, "index_bytes", std::to_string(s.index_bytes));
  Line(out, "time_index_bytes", std::to_string(s.time_index_bytes));
}

RemoteSegment DecodeBody(FieldReader& r) {
  RemoteSegment s;
  s.object = std::string(r.Text("object"));
  s.meta.base_offset = r.Number("base_offset");
  s.meta.next_offset = r.Number("next_offset");
  s.meta.size_bytes = r.Number("size");
  s.meta.first_timestamp_ms = r.Number("first_timestamp_ms");
  s.meta.max_timestamp_ms = r.Number("max_timestamp_ms");
  s.meta.xxh3 = r.Hex("xxh3");
  s.meta.sealed = true;
  s.index_bytes = r.Number("index_bytes");
  s.time_index_bytes = r.Number("time_index_bytes");
  return s;
}

}  // namespace

std::string_view RemoteStateName(RemoteState state) {
  return kStateNames[static_cast<size_t>(state)];
}

std::string RemoteSegment::LogKey() const { return object + std::string(kLogSuffix); }
std::string RemoteSegment::IndexKey() const { return object + std::string(kIndexSuffix); }
std::string RemoteSegment::TimeIndexKey() const { return object + std::string(kTimeIndexSuffix); }
std::string RemoteSegment::ManifestKey() const { return object + std::string(kManifestSuffix); }

std::string RemoteSegment::Encode() const {
  std::string out;
  Line(out, "state", RemoteStateName(state));
  EncodeBody(*this, out);
  return out;
}

Result<RemoteSegment> RemoteSegment::Decode(std::string_view text) {
  auto fields = Fields(text);
  if (!fields.ok()) return fields.status();
  FieldReader r(*fields);
  RemoteSegment s = DecodeBody(r);
  const std::string_view state = r.Text("state");
  TOPICFS_RETURN_IF_ERROR(r.status());
  size_t i = 0;
  while (i < kStateNames.size() && kStateNames[i] != state) ++i;
  if (i == kStateNames.size()) {
    return Status::Corruption("remote segment: unknown state " + std::string(state));
  }
  s.state = static_cast<RemoteState>(i);
  return s;
}

std::string RemoteSegment::EncodeManifest(std::string_view topic, int32_t partition) const {
  std::string out;
  Line(out, "topicfs_manifest", "1");
  Line(out, "topic", topic);
  Line(out, "partition", std::to_string(partition));
  EncodeBody(*this, out);
  return out;
}

Result<RemoteSegment::Manifest> RemoteSegment::DecodeManifest(std::string_view text) {
  auto fields = Fields(text);
  if (!fields.ok()) return fields.status();
  FieldReader r(*fields);
  Manifest m;
  m.segment = DecodeBody(r);
  m.segment.state = RemoteState::kCopyFinished;
  m.topic = std::string(r.Text("topic"));
  m.partition = static_cast<int32_t>(r.Number("partition"));
  const std::string_view version = r.Text("topicfs_manifest");
  TOPICFS_RETURN_IF_ERROR(r.status());
  if (version != "1") return Status::NotSupported("a manifest of version " + std::string(version));
  return m;
}

std::string RemoteObjectName(std::string_view topic, std::string_view tier_id, int32_t partition,
                             int64_t base_offset) {
  return std::string(topic) + "-" + std::string(tier_id) + "/" + std::to_string(partition) + "/" +
         SegmentFilePrefix(base_offset);
}

std::string NewTopicTierId() {
  std::random_device random;
  const uint64_t id = (static_cast<uint64_t>(random()) << 32) ^ random();
  return Hex64(id);
}

}  // namespace topicfs::store
