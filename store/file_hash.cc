#include "store/file_hash.h"

#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>

namespace topicfs::store {
namespace {

constexpr size_t kReadBytes = 1 << 20;  // a multiple of any O_DIRECT alignment

}  // namespace

std::string Xxh3Hex(uint64_t hash) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, hash);
  return hex;
}

Result<uint64_t> Xxh3OfFile(int fd, int64_t size, std::string_view what) {
  void* mem = nullptr;
  if (::posix_memalign(&mem, 4096, kReadBytes) != 0) throw std::bad_alloc();
  std::unique_ptr<char, decltype(&std::free)> buf(static_cast<char*>(mem), &std::free);
  std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> state(XXH3_createState(),
                                                                 &XXH3_freeState);
  if (state == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset(state.get());
  for (int64_t pos = 0; size < 0 || pos < size;) {
    ssize_t n = ::pread(fd, buf.get(), kReadBytes, pos);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::ForErrno(errno, "read " + std::string(what));
    if (n == 0) {
      if (size < 0) break;
      return Status::IOError(std::string(what) + " is shorter than the catalog says");
    }
    const int64_t take = size < 0 ? n : std::min<int64_t>(n, size - pos);
    XXH3_64bits_update(state.get(), buf.get(), static_cast<size_t>(take));
    pos += take;
  }
  return static_cast<uint64_t>(XXH3_64bits_digest(state.get()));
}

std::string HashMismatch(std::string_view actual_hex, std::string_view catalog_hex) {
  return "XXH3-64 is " + std::string(actual_hex) + ", the catalog says " +
         std::string(catalog_hex);
}

}  // namespace topicfs::store
