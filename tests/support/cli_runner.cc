#include "tests/support/cli_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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

RunResult RunTopicfs(const std::vector<std::string>& args, std::string_view input, int timeout_s) {
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
    argv.push_back(const_cast<char*>(TOPICFS_BIN));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(TOPICFS_BIN, argv.data());
    ::_exit(127);
  }
  RunResult r;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "topicfs " << (args.empty() ? "" : args[0]) << " still ran after "
                    << timeout_s << " s; killed";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}

namespace {

// Mount points (unescaped) under `dir` from /proc/self/mountinfo.
std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::istringstream lines(ReadFile("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    if (!(fields >> id >> parent >> devno >> root >> point)) continue;
    std::string unescaped;
    for (size_t i = 0; i < point.size(); ++i) {
      if (point[i] == '\\' && i + 3 < point.size()) {
        unescaped.push_back(static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8)));
        i += 3;
      } else {
        unescaped.push_back(point[i]);
      }
    }
    if (unescaped == dir || unescaped.starts_with(dir + "/")) out.push_back(unescaped);
  }
  return out;
}

// Processes of the topicfs binary whose arguments name something under `dir`.
std::vector<pid_t> TopicfsProcessesNaming(const std::string& dir) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::stoi(name) == ::getpid()) continue;
    std::error_code e2;
    std::string exe = std::filesystem::read_symlink(entry.path() / "exe", e2).string();
    if (exe.find("topicfs") == std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(dir) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

}  // namespace

bool IsMountPoint(const std::string& dir) {
  for (const std::string& m : MountsUnder(dir)) {
    if (m == dir) return true;
  }
  return false;
}

bool KillAndDetachMountsUnder(const std::string& dir) {
  bool any = false;
  for (pid_t pid : TopicfsProcessesNaming(dir)) {
    any = true;
    ::kill(pid, SIGKILL);
  }
  std::vector<std::string> mounts = MountsUnder(dir);
  for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) {  // the innermost first
    any = true;
    if (::geteuid() == 0) {
      ::umount2(it->c_str(), MNT_DETACH);
    } else {
      std::system(("fusermount3 -uz '" + *it + "' 2>/dev/null").c_str());
    }
  }
  return any;
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
