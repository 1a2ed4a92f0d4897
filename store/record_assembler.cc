#include "store/record_assembler.h"

#include <algorithm>
#include <cstring>

#include "store/clock.h"
#include "store/partition.h"
#include "store/record_scan.h"

namespace topicfs::store {
namespace {

Status TooLong(int64_t max) {
  return Status::MessageTooLarge("record longer than max.message.bytes (" + std::to_string(max) +
                                 ")");
}

}  // namespace

RecordAssembler::RecordAssembler(std::shared_ptr<Partition> partition, size_t min_cut_piece)
    : partition_(std::move(partition)),
      min_cut_piece_(min_cut_piece),
      delimiter_(partition_->delimiter()),
      max_message_bytes_(partition_->max_message_bytes()) {}

RecordAssembler::RecordAssembler(Sink sink, char delimiter, int64_t max_message_bytes,
                                 size_t min_cut_piece)
    : sink_(std::move(sink)),
      min_cut_piece_(min_cut_piece),
      delimiter_(delimiter),
      max_message_bytes_(max_message_bytes) {}

RecordAssembler::AppendOutcome RecordAssembler::Send(std::string_view first,
                                                     std::string_view rest) {
  if (sink_) return sink_(first, rest);
  Partition::AppendResult r = partition_->Append(first, rest, NowMs());
  return {r.bytes, r.status};
}

void RecordAssembler::RefreshLimitsLocked() {
  if (partition_ == nullptr || !partial_.empty()) return;
  delimiter_ = partition_->delimiter();
  max_message_bytes_ = partition_->max_message_bytes();
}

Result<size_t> RecordAssembler::Write(std::string_view chunk) {
  std::lock_guard lock(mu_);
  RefreshLimitsLocked();
  Result<size_t> n = WriteLocked(chunk);
  may_continue_ = n.ok() && *n == chunk.size() && chunk.size() >= min_cut_piece_;
  return n;
}

Status RecordAssembler::Refuse(std::string_view chunk, Status why, bool torn) {
  partial_.clear();
  const void* delim = std::memchr(chunk.data(), delimiter_, chunk.size());
  if (delim == nullptr) {  // not reached: a chunk is refused for a record it ends
    refusal_ = Refusal::kToDelimiter;
    offered_.clear();
  } else {
    refusal_ = Refusal::kTailKnown;
    offered_.assign(chunk.data(), static_cast<const char*>(delim) - chunk.data() + 1);
    // A record too long, or missing its head, can never go in from these
    // bytes; a whole record refused for a full disk may, once space returns.
    tail_doomed_ = torn || why.Is(Code::kMessageTooLarge);
    next_torn_ = chunk.back() != delimiter_;
  }
  why_ = why;
  // After an error the kernel sends no more of that write(): this chunk was
  // its first piece (the caller gets the errno) unless the chunk before it
  // went in and was as long as a cut piece (the caller may get a short count).
  told_ = !may_continue_;
  return why;
}

size_t RecordAssembler::DropTooLong(std::string_view chunk) {
  partial_.clear();
  refusal_ = Refusal::kToDelimiter;
  offered_.clear();
  why_ = TooLong(max_message_bytes_);
  told_ = false;
  return chunk.size();
}

Status RecordAssembler::RefuseAgain(std::string_view chunk) {
  next_torn_ = chunk.back() != delimiter_;
  told_ = told_ || !may_continue_;
  return why_;
}

void RecordAssembler::EndRefusal() {
  refusal_ = Refusal::kNone;
  why_ = Status::OK();
  offered_ = std::string();  // a refused chunk can be 1 MiB: give it back
  told_ = false;
}

bool RecordAssembler::OffersAgain(std::string_view chunk) const {
  if (offered_.empty()) return false;
  // A retry normally has the same bytes from the same start; one the caller
  // cut shorter (a copy at another alignment) is a prefix of them.
  const size_t n = std::min(chunk.size(), offered_.size());
  return std::memcmp(chunk.data(), offered_.data(), n) == 0;
}

Result<size_t> RecordAssembler::DropThrough(std::string_view chunk, size_t n) {
  EndRefusal();
  if (n == chunk.size()) return n;
  // The rest is handled as a later piece of the same write(): if it is
  // refused, the caller gets a short count for what was dropped.
  may_continue_ = true;
  Result<size_t> rest = WriteLocked(chunk.substr(n));
  return rest.ok() ? n + *rest : n;
}

bool RecordAssembler::ContinueRefusal(std::string_view chunk, Result<size_t>* out) {
  if (refusal_ == Refusal::kTailKnown) {
    if (OffersAgain(chunk)) {
      if (!tail_doomed_) {  // offered whole again: space may be back
        EndRefusal();
        return false;
      }
      if (!told_) {
        *out = RefuseAgain(chunk);
      } else if (chunk.size() < offered_.size()) {
        offered_.erase(0, chunk.size());
        *out = chunk.size();
      } else {
        // The caller was given the errno for these very bytes and sends
        // them again (Python's buffered writer keeps what failed, ahead of
        // its next data): drop them, take what follows.
        *out = DropThrough(chunk, offered_.size());
      }
      return true;
    }
    if (!next_torn_) {
      EndRefusal();
      return false;
    }
    // The caller's next bytes continue the record the refused chunk ended
    // in, whose head it was refused with that chunk.
    refusal_ = Refusal::kToDelimiter;
    offered_.clear();
  }
  const void* delim = std::memchr(chunk.data(), delimiter_, chunk.size());
  if (delim == nullptr) {
    *out = chunk.size();  // more of a record that is dropped
  } else if (told_) {
    // The record's head was in a chunk the caller got the errno for.
    *out = DropThrough(chunk, static_cast<const char*>(delim) - chunk.data() + 1);
  } else {
    *out = Refuse(chunk, why_, true);  // reported by the write holding its end
  }
  return true;
}

Result<size_t> RecordAssembler::WriteLocked(std::string_view chunk) {
  if (chunk.empty()) return size_t{0};
  Result<size_t> refused = size_t{0};
  if (refusal_ != Refusal::kNone && ContinueRefusal(chunk, &refused)) return refused;
  const char* data = chunk.data();
  const bool torn = !partial_.empty();
  const int64_t max = max_message_bytes_;
  const void* first_delim = std::memchr(data, delimiter_, chunk.size());
  if (first_delim == nullptr) {
    // Too long already: dropped now, reported by the write() that holds its
    // end (only then is it known where the next record starts).
    if (static_cast<int64_t>(partial_.size() + chunk.size()) > max) return DropTooLong(chunk);
    partial_.append(chunk);
    return chunk.size();
  }
  const size_t head_len = static_cast<const char*>(first_delim) - data + 1;
  const size_t whole_end =
      static_cast<const char*>(memrchr(data, delimiter_, chunk.size())) - data + 1;
  if (static_cast<int64_t>(partial_.size() + head_len) > max) {
    return Refuse(chunk, TooLong(max), torn);
  }

  // Records after the first are checked only when they could be too long.
  const size_t ok_end =
      head_len + FirstRecordLongerThan(data + head_len, whole_end - head_len, delimiter_, max);
  const std::string_view tail = chunk.substr(whole_end);
  const bool tail_too_long = static_cast<int64_t>(tail.size()) > max;

  const size_t prefix = partial_.size();
  AppendOutcome out;
  if (prefix > 0) {
    partial_.append(data, head_len);
    out = Send(partial_, chunk.substr(head_len, ok_end - head_len));
  } else {
    out = Send(chunk.substr(0, ok_end), {});
  }
  partial_.clear();
  if (!out.status.ok()) {
    if (out.bytes == 0) return Refuse(chunk, out.status, torn);
    return out.bytes - prefix;  // whole records made it; the caller retries the rest
  }
  if (ok_end < whole_end || tail_too_long) return ok_end;
  partial_.assign(tail);
  return chunk.size();
}

Status RecordAssembler::Flush() {
  std::lock_guard lock(mu_);
  if (refusal_ != Refusal::kNone) {
    // A close ends the record being refused. If the caller may not have
    // been given the errno (only a short count, or its end never came), it
    // gets it now.
    Status why = told_ ? Status::OK() : why_;
    EndRefusal();
    return why;
  }
  if (partial_.empty()) return Status::OK();
  partial_.push_back(delimiter_);
  if (static_cast<int64_t>(partial_.size()) > max_message_bytes_) {
    partial_.clear();
    return TooLong(max_message_bytes_);
  }
  AppendOutcome out = Send(partial_, {});
  partial_.clear();
  return out.status;
}

void RecordAssembler::Discard() {
  std::lock_guard lock(mu_);
  EndRefusal();
  partial_.clear();
}

bool RecordAssembler::refusing() const {
  std::lock_guard lock(mu_);
  return refusal_ != Refusal::kNone;
}

size_t RecordAssembler::pending() const {
  std::lock_guard lock(mu_);
  return partial_.size();
}

}  // namespace topicfs::store
