// Topic names, config values, sizes, durations and times: no crash, and
// what parses round-trips.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/names.h"
#include "store/topic_config.h"
#include "store/units.h"
#include "tests/fuzz/fuzz_util.h"

using namespace topicfs::store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)IsValidTopicName(text);
  if (auto n = ParseSegmentFileName(text)) FUZZ_ASSERT(n->base_offset >= 0);
  if (auto v = ParseSize(text)) FUZZ_ASSERT(*v >= -1);
  if (auto v = ParseDurationMs(text)) FUZZ_ASSERT(*v >= -1);
  // Formatted times round-trip for years 0000 to 9999.
  if (auto v = ParseTimeMs(text); v && *v >= -62167219200000 && *v < 253402300800000) {
    FUZZ_ASSERT(ParseTimeMs(FormatTimeMs(*v)) == v);
  }
  for (const ConfigSpec& spec : AllConfigSpecs()) {
    TopicConfig config;
    if (config.Set(spec.name, text).ok()) {
      auto parsed = TopicConfig::Parse(config.Serialize());
      FUZZ_ASSERT(parsed.ok());
      FUZZ_ASSERT(parsed->Get(spec.name) == config.Get(spec.name));
    }
  }
  // The serialized form itself, as read back from RocksDB.
  (void)TopicConfig::Parse(text);
  return 0;
}
