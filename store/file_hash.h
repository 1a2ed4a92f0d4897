// The XXH3-64 of a segment file: computed one way, and written one way (16
// lowercase hex digits), for the `xxh3` fact, `verify` through a mount and
// `verify --data`, whose messages are therefore the same.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

namespace topicfs::store {

std::string Xxh3Hex(uint64_t hash);

// XXH3-64 of the first `size` bytes of `fd` (to its end when `size` < 0),
// read from position 0 in large aligned reads (so `fd` may be O_DIRECT).
// `what` names the file in errors.
Result<uint64_t> Xxh3OfFile(int fd, int64_t size, std::string_view what);

// What verify says of a sealed segment whose bytes do not hash to the
// catalog's value.
std::string HashMismatch(std::string_view actual_hex, std::string_view catalog_hex);

}  // namespace topicfs::store
