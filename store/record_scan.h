// Delimiter scanning shared by appends, lookups and recovery. memchr-based:
// glibc's memchr is vectorised, so a scan runs at memory speed.
#pragma once

#include <cstddef>
#include <cstring>

namespace topicfs::store {

// Number of `delim` bytes in [data, data+len).
inline size_t CountDelimiters(const char* data, size_t len, char delim) {
  size_t n = 0;
  const char* end = data + len;
  while (data < end) {
    const void* hit = std::memchr(data, delim, end - data);
    if (hit == nullptr) break;
    ++n;
    data = static_cast<const char*>(hit) + 1;
  }
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

}  // namespace topicfs::store
