// CRC-32C (Castagnoli), as Kafka's RecordBatch v2 checksums its bytes, from
// ISA-L (Debian's libisal: Debian 12 has no libcrc32c; DECISIONS.md).
#pragma once

#include <cstdint>
#include <string_view>

namespace topicfs::kafka {

uint32_t Crc32c(std::string_view bytes);

}  // namespace topicfs::kafka
