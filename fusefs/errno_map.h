// The one place a store::Status becomes an errno for the kernel (STYLE 4).
#pragma once

#include <string_view>

#include "store/status.h"

namespace topicfs::fusefs {

// 0 for OK; otherwise a positive errno (DESIGN §1.7).
int ErrnoFromStatus(const store::Status& status);

// A Status that maps back to exactly `err` (for errnos the store has no code
// for: ENOTDIR, EISDIR, ENODATA, ERANGE).
store::Status StatusWithErrno(int err, std::string_view message);

}  // namespace topicfs::fusefs
