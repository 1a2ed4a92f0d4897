// Delimiter scanning shared by appends, lookups and recovery, at memory
// speed: glibc's memchr is vectorised, and so is the count.
#pragma once

#include "store/private_header.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace topicfs::store {

// Number of `delim` bytes in [data, data+len), 16 bytes a step with SSE2
// (every x86-64 has it): matches are summed per byte lane and folded every
// 255 steps, so short records cost no call and no popcount per record.
inline size_t CountDelimiters(const char* data, size_t len, char delim) {
  size_t n = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(delim);
  const __m128i zero = _mm_setzero_si128();
  while (i + 16 <= len) {
    __m128i lanes = zero;  // each byte counts up to 255 matches
    for (int step = 0; step < 255 && i + 16 <= len; ++step, i += 16) {
      __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(block, needle));
    }
    __m128i sums = _mm_sad_epu8(lanes, zero);
    n += static_cast<size_t>(_mm_cvtsi128_si64(sums)) +
         static_cast<size_t>(_mm_extract_epi16(sums, 4));
  }
#endif
  for (; i < len; ++i) n += data[i] == delim;
  return n;
}

// Position just past the `n`-th delimiter (n >= 1) in [data, data+len), or
// npos when there are fewer; *seen gets how many were found.
inline size_t SkipDelimiters(const char* data, size_t len, char delim, size_t n, size_t* seen) {
  const char* p = data;
  const char* end = data + len;
  *seen = 0;
  while (*seen < n && p < end) {
    const void* hit = std::memchr(p, delim, end - p);
    if (hit == nullptr) break;
    ++*seen;
    p = static_cast<const char*>(hit) + 1;
  }
  return *seen == n ? static_cast<size_t>(p - data) : static_cast<size_t>(-1);
}

// Length of the longest prefix of whole records within the first `limit` bytes.
inline size_t WholeRecordPrefix(const char* data, size_t limit, char delim) {
  const void* last = memrchr(data, delim, limit);
  return last == nullptr ? 0 : static_cast<const char*>(last) - data + 1;
}

// Start of the first record in [data, data+len) (whole records) longer than
// `max` bytes, delimiter included, or `len` when none is. Scans only when
// the run as a whole is longer than `max`.
inline size_t FirstRecordLongerThan(const char* data, size_t len, char delim, int64_t max) {
  if (static_cast<int64_t>(len) <= max) return len;
  for (size_t start = 0; start < len;) {
    const void* hit = std::memchr(data + start, delim, len - start);
    const size_t end = hit == nullptr ? len : static_cast<const char*>(hit) - data + 1;
    if (static_cast<int64_t>(end - start) > max) return start;
    start = end;
  }
  return len;
}

}  // namespace topicfs::store
