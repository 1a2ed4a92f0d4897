// The record assembler fed arbitrary chunks: everything it appends is whole
// records no longer than the limit, and the appended bytes are exactly the
// accepted input minus the refused records.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/record_assembler.h"
#include "tests/fuzz/fuzz_util.h"

using namespace topicfs::store;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const char delim = (data[0] & 1) ? '\0' : '\n';
  const int64_t max = 1 + data[1] % 64;
  std::string appended;
  RecordAssembler assembler(
      [&](std::string_view first, std::string_view rest) {
        for (std::string_view piece : {first, rest}) {
          if (piece.empty()) continue;
          FUZZ_ASSERT(piece.back() == delim);
          size_t start = 0;
          while (start < piece.size()) {
            size_t end = piece.find(delim, start);
            FUZZ_ASSERT(static_cast<int64_t>(end - start + 1) <= max);
            start = end + 1;
          }
          appended.append(piece);
        }
        return RecordAssembler::AppendOutcome{first.size() + rest.size(), Status::OK()};
      },
      delim, max);
  // Chunk lengths come from the input too.
  size_t pos = 2;
  while (pos < size) {
    size_t len = 1 + data[pos] % 32;
    ++pos;
    std::string_view chunk(reinterpret_cast<const char*>(data) + pos,
                           std::min(len, size - pos));
    pos += chunk.size();
    while (!chunk.empty()) {
      Result<size_t> r = assembler.Write(chunk);
      if (!r.ok()) break;
      FUZZ_ASSERT(*r <= chunk.size());
      if (*r == 0) break;
      chunk.remove_prefix(*r);
    }
  }
  (void)assembler.Flush();
  FUZZ_ASSERT(assembler.pending() == 0);
  FUZZ_ASSERT(appended.empty() || appended.back() == delim);
  return 0;
}
