// Runs the real build/topicfs binary for the CLI tests: stdin from a string,
// stdout and stderr captured, the exit status returned. Plus a temporary
// directory and file helpers shared with the unit tests (tests/unit/test_util.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/test_util.h"

namespace topicfs::cli_test {

struct RunResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
  // Lines of stderr (a trailing newline does not start a line).
  int err_lines() const;
};

// Runs `topicfs args...` with `input` on stdin.
RunResult RunTopicfs(const std::vector<std::string>& args, std::string_view input = "");

// Temporary directories and file helpers are the unit tests' own.
using test::AppendToFile;
using test::FileExists;
using test::OverwriteAt;
using test::ReadFile;
using test::TempDir;

// Sorted names in `dir` ending with `suffix`, as full paths.
std::vector<std::string> FilesWithSuffix(const std::string& dir, std::string_view suffix);
// "line-<i>..." lines of varying length, some empty, `count` of them.
std::string MakeLines(int64_t count);
// The `n`-th line (from 0) of `text`, newline included.
std::string LineAt(const std::string& text, int64_t n);

}  // namespace topicfs::cli_test
