// mount: in the foreground with -f; otherwise the command forks, the child
// re-executes this binary as the daemon (so its command line holds the
// absolute data directory and mount point) and reports through a pipe, and
// the parent returns once the mount answers. unmount: fusermount3 -u, then
// wait for the daemon serving that mount point to exit, so its clean close
// is on disk when the command returns.
#include "cli/mount_command.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/app.h"
#include "cli/cli_error.h"
#include "cli/mount_preflight.h"
#include "cli/mounts.h"
#include "cli/run_program.h"
#include "cli/store_lock.h"
#include "daemon/daemon.h"
#include "daemon/daemon_env.h"
#include "fusefs/mount_options.h"

namespace topicfs::cli {
namespace {

constexpr long kFuseSuperMagic = 0x65735546;
constexpr auto kMountWait = std::chrono::seconds(30);
constexpr auto kExitWait = std::chrono::seconds(60);
// How long a busy mount is tried again after its followers were ended.
constexpr auto kFollowersExitWait = std::chrono::seconds(2);

struct MountCommandOptions {
  std::string data;
  std::string mountpoint;
  bool foreground = false;
  bool allow_other = false;
  bool debug = false;
  std::string log_file;
  std::vector<std::string> options;
  bool mkdir = false;
  int ready_fd = -1;  // internal: set in the re-executed daemon
};

std::string Absolute(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec).lexically_normal();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool MountAnswers(const std::string& mountpoint) {
  struct statfs st;
  return ::statfs(mountpoint.c_str(), &st) == 0 &&
         static_cast<long>(st.f_type) == kFuseSuperMagic && FindMountAt(mountpoint).has_value();
}

// Writes the daemon's verdict to the parent's pipe: "" means mounted.
void Report(int fd, const std::string& error) {
  std::string msg = error.empty() ? "OK" : "E" + error;
  ssize_t unused = ::write(fd, msg.data(), msg.size());
  (void)unused;
  ::close(fd);
}

int RunForeground(const MountCommandOptions& opts, const fusefs::MountOptions& mount_opts,
                  store::Env* env, std::string* error) {
  daemon::DaemonOptions d;
  d.env = env;
  fusefs::MountConfig& m = d.mount;
  m.data_dir = opts.data;
  m.mountpoint = opts.mountpoint;
  m.allow_other = opts.allow_other;
  m.debug = opts.debug;
  m.mount = mount_opts;
  const int ready_fd = opts.ready_fd;
  m.on_ready = [ready_fd, error, mountpoint = opts.mountpoint](const std::string& e) {
    *error = e;
    if (ready_fd >= 0) Report(ready_fd, e);
    // Under systemd (Type=notify, packaging/topicfs@.service): the unit is
    // started once the mount answers. A no-op without $NOTIFY_SOCKET.
    if (e.empty()) sd_notifyf(0, "READY=1\nSTATUS=serving %s", mountpoint.c_str());
  };
  return daemon::RunDaemon(d);
}

// The re-executed daemon's arguments: absolute paths, -f, and the pipe.
std::vector<std::string> DaemonArguments(const MountCommandOptions& opts, int ready_fd) {
  std::vector<std::string> args = {"topicfs", "mount", "-f", "--ready-fd",
                                   std::to_string(ready_fd)};
  if (opts.allow_other) args.push_back("--allow-other");
  if (opts.debug) args.push_back("--debug");
  if (!opts.log_file.empty()) args.insert(args.end(), {"--log", Absolute(opts.log_file)});
  for (const std::string& o : opts.options) args.insert(args.end(), {"-o", o});
  args.insert(args.end(), {opts.data, opts.mountpoint});
  return args;
}

[[noreturn]] void ExecDaemon(const MountCommandOptions& opts, int ready_fd) {
  ::setsid();
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    if (null_fd > 2) ::close(null_fd);
  }
  std::vector<std::string> args = DaemonArguments(opts, ready_fd);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv("/proc/self/exe", argv.data());
  Report(ready_fd, std::string("cannot start the daemon: ") + std::strerror(errno));
  ::_exit(1);
}

// Returns once the mount answers; on failure, removes a DATA this attempt
// created if the daemon has exited.
void RunBackground(const MountCommandOptions& opts, const MountPaths& paths) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) Fail(std::string("pipe: ") + std::strerror(errno));
  // The write end must survive exec; the read end must not.
  int wfd = ::dup(fds[1]);
  ::close(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) Fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    ExecDaemon(opts, wfd);
  }
  ::close(wfd);
  std::string verdict;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    verdict.append(buf, n);
  }
  ::close(fds[0]);
  if (verdict.empty() || verdict[0] == 'E') {
    ::waitpid(pid, nullptr, 0);
    RemoveCreatedData(paths);
    RefuseIfLocked(paths.data, /*exclusive=*/true);  // taken since the checks
    Fail(verdict.empty() ? "the daemon exited before mounting " + opts.mountpoint
                         : verdict.substr(1));
  }
  auto deadline = std::chrono::steady_clock::now() + kMountWait;
  while (!MountAnswers(opts.mountpoint)) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      Fail("the daemon for " + opts.mountpoint + " exited right after mounting (see its log)");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      Fail(opts.mountpoint + " did not answer within 30 s after mounting");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// The daemon itself: in the foreground (-f), or re-executed with --ready-fd.
void RunDaemonHere(const MountCommandOptions& opts, const fusefs::MountOptions& mount_opts,
                   const MountPaths& paths) {
  if (opts.ready_fd >= 0) ::fcntl(opts.ready_fd, F_SETFD, FD_CLOEXEC);
  const daemon::LogSink sink = !opts.log_file.empty() ? daemon::LogSink::kFile
                               : opts.ready_fd >= 0   ? daemon::LogSink::kSyslog
                                                      : daemon::LogSink::kStderr;
  store::Result<std::unique_ptr<daemon::DaemonEnv>> env =
      daemon::DaemonEnv::Open(sink, opts.log_file);
  if (!env.ok()) {
    if (opts.ready_fd >= 0) Report(opts.ready_fd, env.status().message());
    RemoveCreatedData(paths);
    Fail(env.status().message());
  }
  std::string error;
  int rc = RunForeground(opts, mount_opts, env->get(), &error);
  if (!error.empty()) {
    RemoveCreatedData(paths);
    Fail(error);
  }
  if (rc != 0) throw CommandError(kExitFailure, "the daemon for " + opts.mountpoint + " failed");
}

// --mkdir, as util-linux's mount: the directories made for the mount point
// go again (deepest first, only while empty) unless the mount came up.
class MadeDirs {
 public:
  explicit MadeDirs(const std::string& path) {
    if (path.empty()) return;
    std::error_code ec;
    std::filesystem::path p = std::filesystem::absolute(path, ec).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();  // a trailing slash
    std::vector<std::filesystem::path> missing;     // innermost first
    for (; !p.empty() && !std::filesystem::exists(p, ec); p = p.parent_path()) {
      missing.push_back(p);
      if (p == p.parent_path()) break;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      if (!std::filesystem::create_directory(*it, ec) && ec) {
        RemoveMade();  // no destructor runs for a constructor that throws
        Fail("cannot create mount point directory " + it->string() + ": " + ec.message());
      }
      dirs_.push_back(*it);
    }
  }
  ~MadeDirs() { RemoveMade(); }
  MadeDirs(const MadeDirs&) = delete;
  MadeDirs& operator=(const MadeDirs&) = delete;
  void Keep() { dirs_.clear(); }

 private:
  void RemoveMade() {
    std::error_code ec;
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) std::filesystem::remove(*it, ec);
  }
  std::vector<std::filesystem::path> dirs_;
};

void RunMount(MountCommandOptions opts) {
  fusefs::MountOptions mount_opts;
  store::Status parsed = fusefs::ParseMountOptions(opts.options, &mount_opts);
  if (!parsed.ok()) UsageFail(parsed.message());
  if (mount_opts.allow_other) opts.allow_other = true;
  if (opts.ready_fd >= 0) {  // re-executed by the command below, which checked everything
    return RunDaemonHere(opts, mount_opts, MountPaths{opts.data, opts.mountpoint, ""});
  }
  MadeDirs made(opts.mkdir ? opts.mountpoint : "");
  MountPaths paths = CheckMountPaths(opts.data, opts.mountpoint, mount_opts.nonempty);
  CheckLogFile(opts.log_file);
  CreateData(&paths);  // last: every check that can fail is behind us
  opts.data = paths.data;
  opts.mountpoint = paths.mountpoint;
  if (!opts.foreground) {
    RunBackground(opts, paths);
  } else {
    RunDaemonHere(opts, mount_opts, paths);
  }
  made.Keep();
}

// The daemons (this binary) whose command line names `mountpoint`.
std::vector<pid_t> DaemonsServing(const std::string& mountpoint) {
  std::vector<pid_t> out;
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    if (pid == ::getpid()) continue;
    std::error_code e2;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // This binary, even if it was replaced since the daemon started.
    std::string exe = std::filesystem::read_symlink(entry.path() / "exe", e2).string();
    if (exe.ends_with(" (deleted)")) exe.resize(exe.size() - 10);
    std::string argv0 = cmdline.c_str();
    if (exe != self.string() && std::filesystem::path(argv0).filename() != self.filename()) {
      continue;
    }
    std::filesystem::path cwd = std::filesystem::read_symlink(entry.path() / "cwd", e2);
    bool names_mountpoint = false;
    for (size_t pos = 0; pos < cmdline.size();) {
      std::string arg = cmdline.c_str() + pos;
      pos += arg.size() + 1;
      if (arg.empty()) continue;
      std::string abs = arg[0] == '/' ? Absolute(arg) : Absolute((cwd / arg).string());
      if (abs == mountpoint) names_mountpoint = true;
    }
    if (names_mountpoint) out.push_back(pid);
  }
  return out;
}

bool Running(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  if (stat.empty() || paren == std::string::npos || paren + 2 >= stat.size()) return false;
  char state = stat[paren + 2];
  return state != 'Z' && state != 'X';
}

// fusermount3 -u; its exit status and what it said.
store::Result<ProgramResult> FuserUnmount(const std::string& mountpoint) {
  return RunProgram({"fusermount3", "-u", mountpoint});
}

void RunUnmount(const std::string& mountpoint_arg) {
  std::string mountpoint = RealPath(mountpoint_arg).value_or(Absolute(mountpoint_arg));
  // By the mount table, not FindMountAt: a mount whose daemon died does
  // not resolve, and is exactly what must still be unmounted.
  const std::vector<MountEntry> mounts = ReadMounts();
  if (std::none_of(mounts.begin(), mounts.end(), [&](const MountEntry& e) {
        return e.mount_point == mountpoint && IsTopicfsType(e.type);
      })) {
    UsageFail(mountpoint_arg + " is not a topicfs mount point");
  }
  std::vector<pid_t> daemons = DaemonsServing(mountpoint);
  store::Result<ProgramResult> ran = FuserUnmount(mountpoint);
  if (ran.ok() && ran->exit_status != 0 && !daemons.empty() &&
      ran->output.find("busy") != std::string::npos) {
    // Busy: perhaps only follow/ readers waiting at the log end hold it.
    // The daemon answers them with end of file (SIGUSR1, DESIGN §7), they
    // exit, and the unmount is tried again for a moment.
    for (pid_t pid : daemons) ::kill(pid, SIGUSR1);
    auto until = std::chrono::steady_clock::now() + kFollowersExitWait;
    do {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ran = FuserUnmount(mountpoint);
    } while (ran.ok() && ran->exit_status != 0 && std::chrono::steady_clock::now() < until);
  }
  if (!ran.ok()) Fail(ran.status().ToString());
  if (ran->exit_status != 0) {
    std::string& output = ran->output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    Fail("cannot unmount " + mountpoint + ": " + (output.empty() ? "fusermount3 failed" : output));
  }
  auto deadline = std::chrono::steady_clock::now() + kExitWait;
  for (pid_t pid : daemons) {
    while (Running(pid)) {
      if (std::chrono::steady_clock::now() > deadline) {
        Fail("unmounted " + mountpoint + " but daemon " + std::to_string(pid) + " has not exited");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

}  // namespace

void SetupMountCommands(CLI::App& app) {
  auto opts = std::make_shared<MountCommandOptions>();
  CLI::App* mount =
      app.add_subcommand("mount", "Mount the store in DATA (created if needed) on MOUNTPOINT");
  mount->add_option("DATA", opts->data, "Data directory (created if needed)")
      ->required()
      ->type_name("");
  mount->add_option("MOUNTPOINT", opts->mountpoint, "An existing empty directory")
      ->required()
      ->type_name("");
  mount->add_flag("--mkdir", opts->mkdir, "Create MOUNTPOINT if it does not exist");
  SetExamples(mount, {"topicfs mount ./data ./mnt",
                      "topicfs mount ./data ./mnt --mkdir -o kafka=127.0.0.1:9092",
                      "topicfs mount -f ./data ./mnt -o retention.check.interval.ms=60000",
                      "topicfs ./data ./mnt -o allow_other   # the form mount.fuse3 runs"});
  mount->add_flag("-f,--foreground", opts->foreground, "Stay in the foreground, log to stderr");
  mount->add_flag("--allow-other", opts->allow_other,
                  "Let other users in; the kernel checks permissions (default_permissions)");
  mount->add_option("--log", opts->log_file, "Log to FILE instead of syslog")->type_name("FILE");
  mount
      ->add_option("-o", opts->options,
                   "Mount option: retention.check.interval.ms=MS, passthrough=on|off, "
                   "io_uring=on|off, max_read=N, max.open.files=N, nonempty, "
                   "kafka=HOST:PORT, kafka.advertised=HOST:PORT, kafka.max.request.bytes=N, "
                   "metrics=HOST:PORT, tier=s3://BUCKET/PREFIX|file:///PATH, tier.endpoint=URL, "
                   "tier.region=NAME, tier.cache.bytes=N, or any FUSE option")
      ->type_name("OPTION")
      ->allow_extra_args(false);
  mount->add_flag("-d,--debug", opts->debug, "libfuse debug output (with -f)")->group("");
  mount->add_option("--ready-fd", opts->ready_fd, "internal")->group("");
  mount->callback([opts] { RunMount(*opts); });

  auto mountpoint = std::make_shared<std::string>();
  CLI::App* unmount = app.add_subcommand(
      "unmount", "Unmount MOUNTPOINT and wait until its daemon has closed the store");
  SetExamples(unmount, {"topicfs unmount ./mnt"});
  unmount->add_option("MOUNTPOINT", *mountpoint, "A topicfs mount point")
      ->required()
      ->type_name("");
  unmount->callback([mountpoint] { RunUnmount(*mountpoint); });
}

}  // namespace topicfs::cli
