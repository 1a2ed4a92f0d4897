// The check every command makes before it opens DATA (DESIGN §3,
// store/data_dir.h): an unsafe DATA ends the command with its one line.
#pragma once

#include <string>

namespace topicfs::cli {

// Refuses (exit 1) a DATA another user owns or may write. With `tighten`
// (commands that write: recover, and --data commands that create), a DATA
// others may only read is made 0700, said in one stderr line.
void CheckDataDir(const std::string& data_dir, bool tighten);

}  // namespace topicfs::cli
