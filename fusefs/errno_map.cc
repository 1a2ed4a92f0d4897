#include "fusefs/errno_map.h"

#include <cerrno>

namespace topicfs::fusefs {

int ErrnoFromStatus(const store::Status& status) {
  using store::Code;
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kNotFound:
      return ENOENT;
    case Code::kInvalidArgument:
      return EINVAL;
    case Code::kOutOfRange:
      return ENOENT;  // from/<N> outside the log
    case Code::kCorruption:
      return EIO;
    case Code::kIOError:
      return status.sys_errno() > 0 ? status.sys_errno() : EIO;
    case Code::kNoSpace:
      return ENOSPC;
    case Code::kPermission:
      return EPERM;
    case Code::kNotEmpty:
      return ENOTEMPTY;
    case Code::kAlreadyExists:
      return EEXIST;
    case Code::kMessageTooLarge:
      return EMSGSIZE;
    case Code::kTooBig:
      return E2BIG;
    case Code::kNotSupported:
      return ENOTSUP;
  }
  return EIO;
}

store::Status StatusWithErrno(int err, std::string_view message) {
  return store::Status::IOError(message, err);
}

}  // namespace topicfs::fusefs
