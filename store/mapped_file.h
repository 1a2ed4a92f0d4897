// A read-only view of a whole file through mmap, for reading a .log or an
// index once (recovery, an index check) without a descriptor kept open.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/env.h"
#include "store/private_header.h"
#include "store/status.h"

namespace topicfs::store {

class MappedFile {
 public:
  // Maps `path`; an empty file maps to an empty view. Goes through the file
  // I/O seam (Env::BeforeOpen), so a test sees or fails every open.
  static Result<MappedFile> Open(Env& env, const std::string& path);
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept { *this = std::move(o); }
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view view() const { return {data_ == nullptr ? "" : data_, size_}; }
  int64_t mtime_ms() const { return mtime_ms_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  int64_t mtime_ms_ = 0;
};

}  // namespace topicfs::store
