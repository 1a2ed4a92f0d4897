// The libfuse low-level operation table. Each handler is thin: it reaches the
// TopicFs through fuse_req_userdata, calls one method, and ends in exactly
// one reply (STYLE 11). No exception crosses into libfuse.
#pragma once

#include "fusefs/fuse_api.h"

namespace topicfs::fusefs {

fuse_lowlevel_ops MakeLowlevelOps();

}  // namespace topicfs::fusefs
