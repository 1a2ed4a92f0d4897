// Runs the real build/topicfs binary for the CLI tests: stdin from a string,
// stdout and stderr captured, the exit status returned. Plus a temporary
// directory and file helpers shared with the unit tests (test_util.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/test_util.h"

namespace topicfs::cli_test {

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
  // Lines of stderr (a trailing newline does not start a line).
  int err_lines() const;
};

// Runs `topicfs args...` with `input` on stdin. A command still running
// after `timeout_s` seconds is killed (exit_code 128 + SIGKILL), so that a
// command that hangs fails its test instead of CI.
RunResult RunTopicfs(const std::vector<std::string>& args, std::string_view input = "",
                     int timeout_s = 90);

// For tests of mounts that must not happen: kills (SIGKILL) every topicfs
// process whose command line names a path under `dir` (only the test's own
// daemons can), then detaches every mount under `dir` without touching it
// (umount2 MNT_DETACH, or fusermount3 -uz when not root). True when there
// was anything to clean up.
bool KillAndDetachMountsUnder(const std::string& dir);
// True when /proc/self/mountinfo lists a mount at `dir` (never touches it).
bool IsMountPoint(const std::string& dir);

// Temporary directories and file helpers are the unit tests' own.
using test::AppendToFile;
using test::FileExists;
using test::ListDir;
using test::OverwriteAt;
using test::ReadFile;
using test::TempDir;
using test::TruncateFile;
using test::WriteFile;

// Sorted names in `dir` ending with `suffix`, as full paths.
std::vector<std::string> FilesWithSuffix(const std::string& dir, std::string_view suffix);
// "line-<i>..." lines of varying length, some empty, `count` of them.
std::string MakeLines(int64_t count);
// The `n`-th line (from 0) of `text`, newline included.
std::string LineAt(const std::string& text, int64_t n);

}  // namespace topicfs::cli_test
