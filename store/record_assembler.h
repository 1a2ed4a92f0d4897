// Turns the byte chunks of one writer (a file handle) into whole records
// for Partition::Append (DESIGN §1.3). It keeps a trailing partial record
// between chunks and, once a record has been refused (too long, disk full),
// makes sure no byte of it is ever appended: not its later pieces, and not
// its tail offered again by a writer that got a short count and retries.
// Thread-safe: a shared open file may be written from many threads.
//
// Refusals (docs/DECISIONS.md, "Appending"). A record is refused by the
// chunk that holds its delimiter, and that chunk is refused whole: the
// kernel gives the caller the errno, or a short count when an earlier piece
// of the same write() went in, and the caller (every buffered writer) sends
// the rest again. Only a chunk that went in whole and was as long as a cut
// piece can have been an earlier piece of the same write(), so the handle
// knows whether the caller has been given the errno (`told_`).
//  - kToDelimiter: bytes of a dropped record whose delimiter has not come:
//    a record that passed max.message.bytes (dropped as soon as it does),
//    or the rest of one whose head was in a refused chunk. They are taken
//    and dropped up to the delimiter. The chunk holding it is refused if the
//    caller has not been given the errno for that record yet (kTailKnown);
//    else the record's end is dropped too and what follows is taken.
//  - kTailKnown: the refused chunk began with the rest of the refused record
//    through its delimiter (`offered_`). A chunk that starts with those
//    bytes offers that tail again: refused until the caller has been given
//    the errno, then dropped, and what follows it in the chunk is taken.
//    Any other chunk is the caller's next data: if the refused chunk ended
//    inside a record, that record's rest (kToDelimiter); else new records.
// No byte of a refused record is ever appended. A close ends the refusal,
// and reports the errno if the caller may not have been given it.
#pragma once

#include <cstddef>
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

  // `min_cut_piece`: every piece but the last of a write() the transport
  // cut into several chunks is at least this long (SIZE_MAX: never cut).
  explicit RecordAssembler(std::shared_ptr<Partition> partition, size_t min_cut_piece = SIZE_MAX);
  RecordAssembler(Sink sink, char delimiter, int64_t max_message_bytes,
                  size_t min_cut_piece = SIZE_MAX);

  // Takes a chunk (one FUSE write request). Returns how many of its bytes
  // were accepted: all of them, or fewer when a record inside it was refused
  // after earlier records were appended (the caller sees a short write and
  // retries the rest, which then fails). A status error means none of the
  // chunk was accepted.
  Result<size_t> Write(std::string_view chunk);
  // Appends the partial record, delimiter added (close of a handle).
  Status Flush();
  // Drops the partial record without appending it (close by a writer that
  // was killed in the middle of a record). Ends a refusal like Flush.
  void Discard();
  // Bytes of the pending partial record.
  size_t pending() const;
  // True while a refused record's bytes are being refused.
  bool refusing() const;

 private:
  enum class Refusal { kNone, kToDelimiter, kTailKnown };

  AppendOutcome Send(std::string_view first, std::string_view rest);
  Result<size_t> WriteLocked(std::string_view chunk);
  void RefreshLimitsLocked();
  // Refuses all of `chunk` with `why`; `torn` when the record it starts in
  // had bytes taken before it. Sets the refusal state from the chunk.
  Status Refuse(std::string_view chunk, Status why, bool torn);
  // Drops a record that has just passed max.message.bytes (kToDelimiter).
  size_t DropTooLong(std::string_view chunk);
  // Refuses a chunk that offers `offered_` again.
  Status RefuseAgain(std::string_view chunk);
  // Ends the refusal, dropping the first `n` bytes of `chunk`; takes the rest.
  Result<size_t> DropThrough(std::string_view chunk, size_t n);
  // Handles a chunk while refusing. Returns false when the refusal is over
  // and the chunk is to be taken as new records.
  bool ContinueRefusal(std::string_view chunk, Result<size_t>* out);
  // The chunk offers `offered_` again from its start (or a piece of it).
  bool OffersAgain(std::string_view chunk) const;
  void EndRefusal();

  std::shared_ptr<Partition> partition_;  // null with a custom sink
  Sink sink_;
  const size_t min_cut_piece_;
  // Refreshed from the partition at each write that starts a record, so a
  // config change reaches open handles.
  char delimiter_;             // guarded by mu_
  int64_t max_message_bytes_;  // guarded by mu_

  mutable std::mutex mu_;
  std::string partial_;  // guarded by mu_
  // The refusal state; all guarded by mu_ (see the comment at the top).
  Refusal refusal_ = Refusal::kNone;
  Status why_;                // the error the dropped record is reported with
  std::string offered_;       // kTailKnown: the refused chunk through the record's end
  bool tail_doomed_ = false;  // kTailKnown: those bytes can never go in as a record
  bool next_torn_ = false;    // kTailKnown: the refused chunk ended inside a record
  bool told_ = false;         // the caller has been given the errno for that record
  // The last chunk went in whole and was as long as a cut piece, so the
  // write() it came from may go on in the next chunk.
  bool may_continue_ = false;
};

}  // namespace topicfs::store
