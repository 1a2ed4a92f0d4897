#include "store/status.h"

#include <cerrno>
#include <cstring>

namespace topicfs::store {

namespace {

// The one table between codes and errno. Read both ways: a code answers the
// first errno listed with it; an errno stands for the first code listed
// with it. Codes not listed (Corruption, IOError, Unavailable) answer EIO,
// or an I/O error's own errno.
struct CodeErrno {
  Code code;
  int err;
};
constexpr CodeErrno kTable[] = {
    {Code::kNotFound, ENOENT},
    {Code::kOutOfRange, ENOENT},  // from/<N> outside the log is a name that does not exist
    {Code::kInvalidArgument, EINVAL},
    {Code::kPermission, EPERM},
    {Code::kPermission, EACCES},
    {Code::kNoSpace, ENOSPC},
    {Code::kNoSpace, EDQUOT},
    {Code::kNotEmpty, ENOTEMPTY},
    {Code::kAlreadyExists, EEXIST},
    {Code::kMessageTooLarge, EMSGSIZE},
    {Code::kTooBig, E2BIG},
    {Code::kNotSupported, ENOTSUP},
    {Code::kBusy, EBUSY},
    {Code::kWouldBlock, EAGAIN},
    {Code::kInterrupted, EINTR},
    {Code::kDeadlineExceeded, ETIMEDOUT},
};

}  // namespace

int ToErrno(const Status& status) {
  if (status.ok()) return 0;
  if (status.sys_errno() > 0) return status.sys_errno();
  for (const CodeErrno& e : kTable) {
    if (e.code == status.code()) return e.err;
  }
  return EIO;
}

Status Status::ForErrno(int err, std::string_view what) {
  for (const CodeErrno& e : kTable) {
    if (e.err != err) continue;
    Status s(e.code, std::string(what) + ": " + std::strerror(err));
    s.errno_ = err;
    return s;
  }
  return FromErrno(err, what);
}

Status Status::FromErrno(int err, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(err);
  Status s = err == ENOSPC || err == EDQUOT ? NoSpace(msg) : Status(Code::kIOError, msg);
  s.errno_ = err;
  return s;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return msg_ ? *msg_ : kEmpty;
}

std::string Status::ToString() const { return ok() ? "OK" : message(); }

}  // namespace topicfs::store
