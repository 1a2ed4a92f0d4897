// The four codecs a RecordBatch's records may be compressed with, through
// Debian's libraries: zlib (gzip), snappy (raw, or in the xerial framing
// Kafka's Java clients write), lz4 (frame format) and zstd.
#pragma once

#include <string>
#include <string_view>

#include "store/status.h"

namespace topicfs::kafka {

enum class Codec : int { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

// Corruption when `bytes` are not valid for `codec`; InvalidArgument for an
// unknown codec. The output is at most `max_bytes` long (else TooBig), so a
// small frame cannot expand without bound.
store::Result<std::string> Decompress(Codec codec, std::string_view bytes, size_t max_bytes);
store::Result<std::string> Compress(Codec codec, std::string_view bytes);

}  // namespace topicfs::kafka
