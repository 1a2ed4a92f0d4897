// The wall clock the store stamps appends with (vDSO, no syscall).
#pragma once

#include <time.h>

#include <cstdint>

namespace topicfs::store {

inline int64_t NowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// A clock no one can set: for "how long ago", never stored.
inline int64_t SteadyNowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The same in nanoseconds: for timing requests (metrics).
inline int64_t SteadyNowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace topicfs::store
