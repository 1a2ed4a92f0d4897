#include "cli_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace topicfs::cli_test {
namespace {

std::string WriteTemp(const std::string& dir, const char* name, std::string_view data) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary).write(data.data(), data.size());
  return path;
}

}  // namespace

int RunResult::err_lines() const {
  return static_cast<int>(std::count(err.begin(), err.end(), '\n')) +
         (!err.empty() && err.back() != '\n' ? 1 : 0);
}

RunResult RunTopicfs(const std::vector<std::string>& args, std::string_view input) {
  TempDir io;
  std::string in_path = WriteTemp(io.path(), "stdin", input);
  std::string out_path = io.Sub("stdout"), err_path = io.Sub("stderr");
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(TOPICFS_BINARY));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(TOPICFS_BINARY, argv.data());
    ::_exit(127);
  }
  RunResult r;
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

std::vector<std::string> FilesWithSuffix(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string p = e.path().string();
    if (p.size() >= suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(p);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string MakeLines(int64_t count) {
  std::string out;
  for (int64_t i = 0; i < count; ++i) {
    if (i % 97 == 13) {
      out += '\n';  // an empty record
      continue;
    }
    out += "line-" + std::to_string(i) + " " + std::string(i % 40, 'a' + i % 26) + "\n";
  }
  return out;
}

std::string LineAt(const std::string& text, int64_t n) {
  size_t pos = 0;
  for (int64_t i = 0; i < n; ++i) pos = text.find('\n', pos) + 1;
  return text.substr(pos, text.find('\n', pos) - pos + 1);
}

}  // namespace topicfs::cli_test
