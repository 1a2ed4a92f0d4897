#include "store/status.h"

#include <cerrno>
#include <cstring>

namespace topicfs::store {

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
