// How soon a waiting reader gets a record after the write() that appended
// it returned (issue 10): topicfs `follow/end`, `tail -f` of `from/<N>`,
// and Redis `XREAD BLOCK` (through hiredis), measured the same way.
//
//   wake_latency follow PARTITION_DIR N    a blocked read() of follow/end
//   wake_latency tail PARTITION_DIR N      `tail -n0 -f from/<end>`'s stdout
//   wake_latency redis PORT N              XREAD BLOCK 0 on one connection,
//                                          XADD on another
//
// One record at a time: the writer takes the time when its write() (or the
// XADD reply) returns, the reader when its read returns the record; the
// latency is the difference (0 when the reader was woken first, which a
// FUSE reply racing the writer's own can do). Prints "p50_us p99_us max_us".
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <sys/xattr.h>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::perror(what.c_str());
  std::exit(1);
}

int64_t Ns(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// When each record's write returned (0: not yet), shared by two threads.
class WriteTimes {
 public:
  explicit WriteTimes(int n) : ns_(new std::atomic<int64_t>[n]) {
    for (int i = 0; i < n; ++i) ns_[i].store(0);
  }
  void Set(int i) { ns_[i].store(Ns(Clock::now())); }
  // Waits for record i's write to have returned.
  int64_t Get(int i) {
    int64_t v;
    while ((v = ns_[i].load()) == 0) std::this_thread::yield();
    return v;
  }

 private:
  std::unique_ptr<std::atomic<int64_t>[]> ns_;
};

struct Timing {
  std::vector<double> us;
  void Record(Clock::time_point read_at, int64_t written_ns) {
    us.push_back(std::max(0.0, (Ns(read_at) - written_ns) / 1e3));
  }
  void Print() {
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[std::min(us.size() - 1, size_t(q * us.size()))]; };
    std::printf("%.1f %.1f %.1f\n", at(0.5), at(0.99), us.back());
  }
};

// Appends one line per round to `current`, waiting for `seen` to count it
// before the next; `pause` between rounds lets the reader block again.
template <typename ReadOne>
void RunFile(const std::string& current, int n, std::chrono::microseconds pause, ReadOne read_one) {
  Timing t;
  std::atomic<int> seen{0};
  WriteTimes written(n);
  std::thread reader([&] {
    for (int i = 0; i < n; ++i) {
      read_one();
      Clock::time_point at = Clock::now();
      t.Record(at, written.Get(i));
      seen.store(i + 1);
    }
  });
  int fd = ::open(current.c_str(), O_WRONLY | O_APPEND);
  if (fd < 0) Die("open " + current);
  for (int i = 0; i < n; ++i) {
    std::this_thread::sleep_for(pause);
    std::string line = "wake " + std::to_string(i) + "\n";
    if (::write(fd, line.data(), line.size()) != ssize_t(line.size())) Die("write");
    written.Set(i);
    while (seen.load() <= i) std::this_thread::yield();
  }
  ::close(fd);
  reader.join();
  t.Print();
}

// Reads until a newline arrives on `fd` (a line per record).
void ReadLine(int fd) {
  char c;
  for (;;) {
    ssize_t r = ::read(fd, &c, 1);
    if (r <= 0) Die("read");
    if (c == '\n') return;
  }
}

std::string LogEnd(const std::string& dir) {
  char buf[32];
  ssize_t n = ::getxattr(dir.c_str(), "user.topicfs.log_end_offset", buf, sizeof buf);
  if (n < 0) Die("getxattr " + dir);
  return std::string(buf, n);
}

void Follow(const std::string& dir, int n) {
  int fd = ::open((dir + "/follow/end").c_str(), O_RDONLY);
  if (fd < 0) Die("open follow/end");
  RunFile(dir + "/current", n, std::chrono::milliseconds(2), [fd] {
    char buf[4096];
    if (::read(fd, buf, sizeof buf) <= 0) Die("read follow/end");
  });
}

void Tail(const std::string& dir, int n) {
  int out[2];
  if (::pipe(out) != 0) Die("pipe");
  const std::string from = dir + "/from/" + LogEnd(dir);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::execlp("tail", "tail", "-n", "0", "-f", from.c_str(), nullptr);
    _exit(127);
  }
  ::close(out[1]);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // tail has opened it
  RunFile(dir + "/current", n, std::chrono::milliseconds(2), [&] { ReadLine(out[0]); });
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
}

void Redis(int port, int n) {
  redisContext* w = redisConnect("127.0.0.1", port);
  redisContext* r = redisConnect("127.0.0.1", port);
  if (w == nullptr || w->err || r == nullptr || r->err) Die("redis connect");
  freeReplyObject(redisCommand(w, "DEL wake"));
  Timing t;
  WriteTimes written(n);
  std::atomic<int> seen{0};
  std::thread reader([&] {
    std::string last = "$";
    for (int i = 0; i < n; ++i) {
      auto* reply = static_cast<redisReply*>(
          redisCommand(r, "XREAD BLOCK 0 STREAMS wake %s", last.c_str()));
      Clock::time_point at = Clock::now();
      if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) Die("XREAD");
      // [[stream, [[id, [f, v]]]]]
      last = reply->element[0]->element[1]->element[0]->element[0]->str;
      freeReplyObject(reply);
      t.Record(at, written.Get(i));
      seen.store(i + 1);
    }
  });
  for (int i = 0; i < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    freeReplyObject(redisCommand(w, "XADD wake * f %d", i));
    written.Set(i);
    while (seen.load() <= i) std::this_thread::yield();
  }
  reader.join();
  t.Print();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: wake_latency follow|tail PARTITION_DIR N | redis PORT N\n");
    return 2;
  }
  const std::string mode = argv[1];
  const int n = std::atoi(argv[3]);
  if (mode == "follow") Follow(argv[2], n);
  else if (mode == "tail") Tail(argv[2], n);
  else if (mode == "redis") Redis(std::atoi(argv[2]), n);
  else return 2;
  return 0;
}
