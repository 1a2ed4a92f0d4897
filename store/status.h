// Errors as values at the store boundary. A Status is cheap when OK (no
// allocation); an error carries a code and one line of text. Codes and errno
// meet in one table (status.cc): ToErrno for what a front-end answers,
// Status::ForErrno for what an errno from the kernel stands for.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace topicfs::store {

enum class Code {
  kOk = 0,
  kNotFound,         // ENOENT
  kInvalidArgument,  // EINVAL
  kOutOfRange,       // ENOENT for from/<N>; CLI: offset outside the log
  kCorruption,       // EIO
  kIOError,          // EIO (or the errno it carries)
  kNoSpace,          // ENOSPC
  kPermission,       // EPERM
  kNotEmpty,         // ENOTEMPTY
  kAlreadyExists,    // EEXIST
  kMessageTooLarge,  // EMSGSIZE
  kTooBig,           // E2BIG
  kNotSupported,     // ENOTSUP
  kBusy,             // EBUSY: held by someone else (a group's one open handle)
  kWouldBlock,       // EAGAIN: nothing yet, and the caller asked not to wait
  kInterrupted,      // EINTR: a wait cancelled (a signal, an unmount)
  kDeadlineExceeded, // ETIMEDOUT: a wait ran out of time
  kUnavailable,      // EIO: a remote store (the tier) cannot be reached now
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status OutOfRange(std::string_view msg) { return Status(Code::kOutOfRange, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status NoSpace(std::string_view msg) { return Status(Code::kNoSpace, msg); }
  static Status Permission(std::string_view msg) { return Status(Code::kPermission, msg); }
  static Status NotEmpty(std::string_view msg) { return Status(Code::kNotEmpty, msg); }
  static Status AlreadyExists(std::string_view msg) { return Status(Code::kAlreadyExists, msg); }
  static Status MessageTooLarge(std::string_view msg) {
    return Status(Code::kMessageTooLarge, msg);
  }
  static Status TooBig(std::string_view msg) { return Status(Code::kTooBig, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status WouldBlock(std::string_view msg) { return Status(Code::kWouldBlock, msg); }
  static Status Interrupted(std::string_view msg) { return Status(Code::kInterrupted, msg); }
  static Status DeadlineExceeded(std::string_view msg) {
    return Status(Code::kDeadlineExceeded, msg);
  }
  static Status Unavailable(std::string_view msg) { return Status(Code::kUnavailable, msg); }
  // An I/O failure; `err` is the errno (ENOSPC becomes kNoSpace).
  static Status FromErrno(int err, std::string_view what);
  // What an errno from the kernel stands for: the code whose errno it is
  // (ENOENT NotFound, EACCES Permission, EBUSY Busy, ...), else FromErrno.
  static Status ForErrno(int err, std::string_view what);
  static Status IOError(std::string_view msg, int err = 0) {
    Status s(Code::kIOError, msg);
    s.errno_ = err;
    return s;
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool Is(Code c) const { return code_ == c; }
  // The errno an I/O error came from, 0 if none.
  int sys_errno() const { return errno_; }
  const std::string& message() const;
  std::string ToString() const;

 private:
  Status(Code code, std::string_view msg)
      : code_(code), msg_(std::make_shared<const std::string>(msg)) {}

  Code code_ = Code::kOk;
  int errno_ = 0;
  std::shared_ptr<const std::string> msg_;  // null when OK
};

// The errno a front-end answers for `status` (0 for OK): its code's, or for
// an I/O error the errno it came from (DESIGN §1.7).
int ToErrno(const Status& status);

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

#define TOPICFS_RETURN_IF_ERROR(expr)        \
  do {                                       \
    ::topicfs::store::Status _s = (expr);    \
    if (!_s.ok()) return _s;                 \
  } while (0)

}  // namespace topicfs::store
