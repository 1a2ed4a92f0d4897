#include "store/segment_meta.h"

#include "store/coding.h"

namespace topicfs::store {
namespace {
constexpr uint8_t kVersion = 1;
constexpr size_t kFixedSize = 2 + 6 * 8;
}  // namespace

std::string SegmentMeta::Encode() const {
  std::string out(kFixedSize, '\0');
  out[0] = static_cast<char>(kVersion);
  out[1] = static_cast<char>((sealed ? 1 : 0) | (hash_state.empty() ? 0 : 2));
  char* p = out.data() + 2;
  for (int64_t v : {base_offset, next_offset, size_bytes, first_timestamp_ms, max_timestamp_ms,
                    static_cast<int64_t>(xxh3)}) {
    EncodeBigEndian64(p, static_cast<uint64_t>(v));
    p += 8;
  }
  out += hash_state;
  return out;
}

Result<SegmentMeta> SegmentMeta::Decode(std::string_view bytes) {
  if (bytes.size() < kFixedSize || static_cast<uint8_t>(bytes[0]) != kVersion) {
    return Status::Corruption("bad segment catalog entry");
  }
  SegmentMeta m;
  m.sealed = bytes[1] & 1;
  const char* p = bytes.data() + 2;
  int64_t* fields[] = {&m.base_offset, &m.next_offset, &m.size_bytes, &m.first_timestamp_ms,
                       &m.max_timestamp_ms};
  for (int64_t* f : fields) {
    *f = static_cast<int64_t>(DecodeBigEndian64(p));
    p += 8;
  }
  m.xxh3 = DecodeBigEndian64(p);
  if (bytes[1] & 2) m.hash_state.assign(bytes.substr(kFixedSize));
  return m;
}

}  // namespace topicfs::store
