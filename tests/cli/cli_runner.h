// Runs the real build/topicfs binary for the CLI tests: stdin from a string,
// stdout and stderr captured, the exit status returned. Plus a temporary
// directory that cleans up after itself and small file helpers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// A fresh mkdtemp directory, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void AppendToFile(const std::string& path, std::string_view bytes);
void OverwriteAt(const std::string& path, int64_t pos, std::string_view bytes);
bool FileExists(const std::string& path);
// Sorted names in `dir` ending with `suffix`, as full paths.
std::vector<std::string> FilesWithSuffix(const std::string& dir, std::string_view suffix);
// "line-<i>..." lines of varying length, some empty, `count` of them.
std::string MakeLines(int64_t count);
// The `n`-th line (from 0) of `text`, newline included.
std::string LineAt(const std::string& text, int64_t n);

}  // namespace topicfs::cli_test
