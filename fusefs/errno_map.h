// The one place a store::Status becomes an errno for the kernel (STYLE 4).
#pragma once

#include "store/status.h"

namespace topicfs::fusefs {

// 0 for OK; otherwise a positive errno (DESIGN §1.7).
int ErrnoFromStatus(const store::Status& status);

}  // namespace topicfs::fusefs
