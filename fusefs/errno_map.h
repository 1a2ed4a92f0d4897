// errnos the store has no code for (ENOTDIR, EISDIR, ENODATA, ERANGE, ELOOP):
// the kernel paths answer them through an I/O-error Status carrying the
// errno, which store::ToErrno (the one table, store/status.cc) gives back.
#pragma once

#include <string_view>

#include "store/status.h"

namespace topicfs::fusefs {

inline store::Status StatusWithErrno(int err, std::string_view message) {
  return store::Status::IOError(message, err);
}

}  // namespace topicfs::fusefs
