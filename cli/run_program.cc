#include "cli/run_program.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;

namespace topicfs::cli {
namespace {

int WaitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

store::Result<ProgramResult> RunProgram(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return store::Status::FromErrno(errno, "pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  pid_t pid = -1;
  const int err = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (err != 0) {
    ::close(out[0]);
    return store::Status::FromErrno(err, "cannot run " + argv[0]);
  }
  ProgramResult result;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.output.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  result.exit_status = WaitExit(pid);
  return result;
}

store::Result<std::unique_ptr<FedProgram>> FedProgram::Start(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return store::Status::FromErrno(errno, "pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  pid_t pid = -1;
  const int err = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  if (err != 0) {
    ::close(in[1]);
    return store::Status::FromErrno(err, "cannot run " + argv[0]);
  }
  // A program that stops reading is an EPIPE from write, not a SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  return std::unique_ptr<FedProgram>(new FedProgram(pid, in[1]));
}

FedProgram::~FedProgram() {
  if (pid_ > 0) (void)Finish();
}

store::Status FedProgram::Write(const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = ::write(in_, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return store::Status::FromErrno(errno, "write to the command");
    data += n;
    len -= static_cast<size_t>(n);
  }
  return store::Status::OK();
}

int FedProgram::Finish() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
  const int code = WaitExit(pid_);
  pid_ = -1;
  return code;
}

}  // namespace topicfs::cli
