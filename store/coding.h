// The one place integers reach the disk: big-endian, as Kafka's index files
// store them (Java's ByteBuffer default).
#pragma once

#include "store/private_header.h"

#include <cstdint>
#include <cstring>

namespace topicfs::store {

inline void EncodeBigEndian32(char* dst, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(dst, &v, sizeof v);
}

inline void EncodeBigEndian64(char* dst, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(dst, &v, sizeof v);
}

inline uint32_t DecodeBigEndian32(const char* src) {
  uint32_t v;
  std::memcpy(&v, src, sizeof v);
  return __builtin_bswap32(v);
}

inline uint64_t DecodeBigEndian64(const char* src) {
  uint64_t v;
  std::memcpy(&v, src, sizeof v);
  return __builtin_bswap64(v);
}

}  // namespace topicfs::store
