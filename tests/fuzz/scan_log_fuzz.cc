// The recovery scanner on arbitrary segment bytes: what it keeps is whole
// records, a prefix of the input, and (after a new boot) keeps no run of NULs
// in a newline topic.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "store/record_scan.h"
#include "store/recovery.h"
#include "tests/fuzz/fuzz_util.h"

using namespace topicfs::store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (char delim : {'\n', '\0'}) {
    LogScan scan = ScanLog(bytes, delim);
    FUZZ_ASSERT(scan.valid_bytes >= 0 && static_cast<size_t>(scan.valid_bytes) <= size);
    FUZZ_ASSERT(scan.valid_bytes == 0 || bytes[scan.valid_bytes - 1] == delim);
    FUZZ_ASSERT(static_cast<size_t>(scan.records) ==
                CountDelimiters(bytes.data(), scan.valid_bytes, delim));
    FUZZ_ASSERT((scan.valid_bytes < static_cast<int64_t>(size)) == !scan.cut_reason.empty());
    // In the same boot every whole record is kept, whatever its bytes.
    LogScan same = ScanLog(bytes, delim, 0, TailTrust::kSameBoot);
    FUZZ_ASSERT(static_cast<size_t>(same.valid_bytes) ==
                WholeRecordPrefix(bytes.data(), size, delim));
    if (delim == '\n') {
      static constexpr char kZeros[kNulRunBytes] = {};
      FUZZ_ASSERT(memmem(bytes.data(), scan.valid_bytes, kZeros, sizeof kZeros) == nullptr);
    }
  }
  return 0;
}
