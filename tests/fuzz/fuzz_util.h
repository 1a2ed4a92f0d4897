// Helpers shared by the fuzz targets.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "store/index_file.h"

#define FUZZ_ASSERT(cond)                                                    \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

// Bytes written to a temporary file and opened as an index.
class TempIndexFile {
 public:
  TempIndexFile(std::string_view bytes, size_t entry_size) : entry_size_(entry_size) {
    char path[] = "/tmp/topicfs-fuzz-XXXXXX";
    int fd = mkstemp(path);
    FUZZ_ASSERT(fd >= 0);
    FUZZ_ASSERT(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    close(fd);
    path_ = path;
  }
  ~TempIndexFile() { unlink(path_.c_str()); }
  std::unique_ptr<topicfs::store::IndexFile> Open() {
    auto r = topicfs::store::IndexFile::OpenWritable(path_, entry_size_, *files_);
    FUZZ_ASSERT(r.ok());
    return std::move(*r);
  }

 private:
  std::shared_ptr<topicfs::store::DescriptorCache> files_ =
      topicfs::store::DescriptorCache::Create(topicfs::store::Env::Default(), 4);
  std::string path_;
  size_t entry_size_;
};
