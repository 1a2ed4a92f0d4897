// Which segment each task last found `current` naming. `>> current` is a
// READLINK and then an OPEN of the segment it named, from the same task;
// rolls may seal that segment in between (several, under concurrent
// appenders). Such an open may still append: the data goes to the
// partition's end as always. Any other open of a sealed segment for writing
// stays EPERM. Fixed size, no allocation; pure, unit-tested.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <mutex>

namespace topicfs::fusefs {

class LinkResolutions {
 public:
  // How long a resolution stays good for the open that follows it.
  static constexpr int64_t kGraceMs = 2000;

  // `task` read `current` of `partition` (any stable identity) at `now_ms`
  // and was given the segment based at `base`.
  void Note(pid_t task, const void* partition, int64_t base, int64_t now_ms);
  // Whether `task`'s last resolution, made less than kGraceMs before
  // `now_ms`, named this segment. Forgets it either way: one resolution
  // serves one open.
  bool Take(pid_t task, const void* partition, int64_t base, int64_t now_ms);

 private:
  struct Entry {
    pid_t task = 0;
    const void* partition = nullptr;
    int64_t base = 0;
    int64_t at_ms = 0;
  };
  // More tasks than this between a readlink and its open is far past any
  // shell's race; the oldest resolution is then forgotten first.
  static constexpr size_t kSlots = 64;

  std::mutex mu_;
  std::array<Entry, kSlots> entries_{};  // guarded by mu_; task 0 = free
};

}  // namespace topicfs::fusefs
