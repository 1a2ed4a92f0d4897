// Writers as users write (issue 9): Python's buffered open('ab'), C stdio,
// dd bs=1M and cat, each appending a record file to a mount, so that the
// refusal tests can check what each one sees and what reaches the log.
#pragma once

#include <string>
#include <vector>

#include "tests/support/mount_fixture.h"

namespace topicfs::e2e {

enum class Writer { kPython, kStdio, kDd, kCat };
const char* WriterName(Writer w);
inline const std::vector<Writer> kAllWriters = {Writer::kPython, Writer::kStdio, Writer::kDd,
                                                Writer::kCat};

struct WriterRun {
  std::vector<int> errors;  // errno values the writer saw, in order
  std::string output;       // what it printed (stdout and stderr)
};

class RecordWritersTest : public MountTest {
 protected:
  // A record of `size` bytes, its delimiter ("\n") included, in a file of
  // the test directory; its bytes do not repeat within 1 MiB, so a retry
  // cannot be mistaken for the bytes that follow it.
  std::string MakeRecordFile(size_t size);
  // Appends `record_file` to `path` as `w` does, then the record `next` on
  // the same open file (Python, stdio) or with a new `>>` (dd and cat exit
  // at their first error). `free_between`, if set, is removed before the
  // next record; for Python, after f.write() and before f.flush(), which
  // sends again the tail that f.write() kept after a short count: space
  // freed between the short count and the retry.
  WriterRun Append(Writer w, const std::string& path, const std::string& record_file,
                   const std::string& next, const std::string& free_between = "");
  // Every byte of the partition's segments, in order.
  std::string LogBytes(const std::string& partition_dir);
  // Expects the partition to hold exactly `expected`, without printing
  // megabytes when it does not.
  void ExpectLog(const std::string& partition_dir, const std::string& expected);
};

// "Message too long" for EMSGSIZE: how dd and cat say it.
std::string ErrnoText(int err);

}  // namespace topicfs::e2e
