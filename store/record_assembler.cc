#include "store/record_assembler.h"

#include <cstring>

#include "store/clock.h"
#include "store/partition.h"

namespace topicfs::store {
namespace {

Status TooLong(int64_t max) {
  return Status::MessageTooLarge("record longer than max.message.bytes (" + std::to_string(max) +
                                 ")");
}

}  // namespace

RecordAssembler::RecordAssembler(std::shared_ptr<Partition> partition)
    : partition_(std::move(partition)),
      delimiter_(partition_->delimiter()),
      max_message_bytes_(partition_->max_message_bytes()) {}

RecordAssembler::RecordAssembler(Sink sink, char delimiter, int64_t max_message_bytes)
    : sink_(std::move(sink)), delimiter_(delimiter), max_message_bytes_(max_message_bytes) {}

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
  return WriteLocked(chunk);
}

Status RecordAssembler::Refuse(std::string_view chunk, Status why) {
  partial_.clear();
  if (chunk.empty() || chunk.back() != delimiter_) refusing_ = why;
  return why;
}

Result<size_t> RecordAssembler::WriteLocked(std::string_view chunk) {
  if (chunk.empty()) return size_t{0};
  const char* data = chunk.data();
  if (!refusing_.ok()) {
    // The rest of a refused record. The whole chunk is refused, so if it
    // ends inside the next record, that one is refused too.
    Status why = refusing_;
    if (chunk.back() == delimiter_) refusing_ = Status::OK();
    return why;
  }
  const int64_t max = max_message_bytes_;
  const void* first_delim = std::memchr(data, delimiter_, chunk.size());
  if (first_delim == nullptr) {
    if (static_cast<int64_t>(partial_.size() + chunk.size()) > max) {
      return Refuse(chunk, TooLong(max));
    }
    partial_.append(chunk);
    return chunk.size();
  }
  const size_t head_len = static_cast<const char*>(first_delim) - data + 1;
  const size_t whole_end = static_cast<const char*>(memrchr(data, delimiter_, chunk.size())) -
                           data + 1;
  if (static_cast<int64_t>(partial_.size() + head_len) > max) return Refuse(chunk, TooLong(max));

  // Records after the first are checked only when they could be too long.
  size_t ok_end = whole_end;
  if (static_cast<int64_t>(whole_end - head_len) > max) {
    for (size_t start = head_len; start < whole_end;) {
      size_t end = static_cast<const char*>(
                       std::memchr(data + start, delimiter_, whole_end - start)) - data + 1;
      if (static_cast<int64_t>(end - start) > max) {
        ok_end = start;
        break;
      }
      start = end;
    }
  }
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
    if (out.bytes == 0) return Refuse(chunk, out.status);
    return out.bytes - prefix;  // whole records made it; the caller retries the rest
  }
  if (ok_end < whole_end || tail_too_long) return ok_end;
  partial_.assign(tail);
  return chunk.size();
}

Status RecordAssembler::Flush() {
  std::lock_guard lock(mu_);
  refusing_ = Status::OK();  // a close ends the record being refused
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

size_t RecordAssembler::pending() const {
  std::lock_guard lock(mu_);
  return partial_.size();
}

}  // namespace topicfs::store
