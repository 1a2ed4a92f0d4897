// Arbitrary bytes as a .index and a .timeindex: the checks and lookups must
// neither crash nor disagree with a linear scan.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/offset_index.h"
#include "store/time_index.h"
#include "tests/fuzz/fuzz_util.h"

using namespace topicfs::store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const int64_t base = 1000;
  (void)OffsetIndex::Check(bytes, base, base + 5000, 1 << 20);
  (void)TimeIndex::Check(bytes, base, base + 5000);

  TempIndexFile index_file(bytes, kOffsetIndexEntrySize);
  OffsetIndex index(index_file.Open(), base, 1 << 20);
  TempIndexFile time_file(bytes, kTimeIndexEntrySize);
  TimeIndex time_index(time_file.Open(), base, 1 << 20);
  // Lookups are only meaningful on checked indexes; on others they must
  // merely stay in bounds.
  const bool sorted = OffsetIndex::Check(bytes, base, INT64_MAX / 2, INT64_MAX / 2).ok();
  for (int64_t target : {int64_t{0}, base, base + 1, base + 4096, int64_t{1} << 40}) {
    auto floor = index.FindFloor(target);
    if (sorted && floor) FUZZ_ASSERT(floor->offset <= target);
    auto before = time_index.FindLastBefore(target);
    (void)before;
  }
  return 0;
}
