// DATA is the daemon's alone (DESIGN §3): the mount's permissions mean
// nothing if the same records can be read around it, and a store others
// could write may hold topics they planted. Every command that opens DATA
// checks it first (docs/DECISIONS.md, "The data directory"):
//   - DATA, meta/, topics/ and each topic directory must be directories
//     (not symlinks, but for DATA itself) owned by the effective user, and
//     neither group nor others may write them: otherwise refused, naming
//     the path and the fix. No chmod can undo what someone may already
//     have planted, so a person has to look.
//   - DATA, meta/ and topics/ that group or others may only read or search
//     (a store made before 0700 was the rule) are made 0700 when `tighten`
//     is set: nothing can be planted through read bits, and DATA's own 0700
//     closes everything under it.
#pragma once

#include <sys/types.h>

#include <string>

#include "store/status.h"

namespace topicfs::store {

// What the store creates under DATA: readable by its owner only.
inline constexpr mode_t kPrivateDirMode = 0700;
inline constexpr mode_t kPrivateFileMode = 0600;

// Permission (one line: the path, what is wrong, the fix) when DATA may not
// be served; OK when DATA does not exist yet. Each change `tighten` made is
// described in `*tightened` (one line, for the log; untouched when none).
Status SecureDataDir(const std::string& data_dir, bool tighten, std::string* tightened);

// mkdir with kPrivateDirMode; OK when the directory is already there.
Status MakeDir(const std::string& path);

}  // namespace topicfs::store
