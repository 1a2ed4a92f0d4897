// Turns the byte chunks of one writer (a file handle) into whole records
// for Partition::Append (DESIGN §1.3). It keeps a trailing partial record
// between chunks and, once a record has been refused (too long, disk full),
// refuses the rest of that record up to its delimiter so none of it is ever
// appended. Thread-safe: a shared open file may be written from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "store/status.h"

namespace topicfs::store {

class Partition;

class RecordAssembler {
 public:
  // Appends whole records; the default sends them to a partition. Tests and
  // fuzzers substitute a sink.
  struct AppendOutcome {
    size_t bytes = 0;
    Status status;
  };
  using Sink = std::function<AppendOutcome(std::string_view first, std::string_view rest)>;

  RecordAssembler(std::shared_ptr<Partition> partition);
  RecordAssembler(Sink sink, char delimiter, int64_t max_message_bytes);

  // Takes a chunk. Returns how many of its bytes were accepted: all of them,
  // or fewer when a record inside it was refused after earlier records were
  // appended (the caller sees a short write and retries the rest, which then
  // fails). A status error means none of the chunk was accepted.
  Result<size_t> Write(std::string_view chunk);
  // Appends the partial record, delimiter added (close of a handle).
  Status Flush();
  // Bytes of the pending partial record.
  size_t pending() const;

 private:
  AppendOutcome Send(std::string_view first, std::string_view rest);
  Result<size_t> WriteLocked(std::string_view chunk);
  void RefreshLimitsLocked();
  // Refuses a chunk; the rest of its trailing record is refused too.
  Status Refuse(std::string_view chunk, Status why);

  std::shared_ptr<Partition> partition_;  // null with a custom sink
  Sink sink_;
  // Refreshed from the partition at each write that starts a record, so a
  // config change reaches open handles.
  char delimiter_;             // guarded by mu_
  int64_t max_message_bytes_;  // guarded by mu_

  mutable std::mutex mu_;
  std::string partial_;  // guarded by mu_
  Status refusing_;      // guarded by mu_; error while refusing a record's rest
};

}  // namespace topicfs::store
