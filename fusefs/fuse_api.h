// The one include of libfuse's low-level API, with the pinned API version
// (STYLE 11): libfuse 3.14 as in its example/passthrough_hp.cc.
#pragma once

#define FUSE_USE_VERSION FUSE_MAKE_VERSION(3, 12)
#include <fuse_lowlevel.h>
