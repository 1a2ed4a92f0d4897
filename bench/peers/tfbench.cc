// tfbench: small load generators and timers for scripts/bench.sh.
// Built by bench.sh with g++ into a temporary directory (not part of the
// CMake build). Every record it writes is one line of exactly LEN bytes
// (newline included) that starts with its 0-based sequence number, zero
// padded to 12 digits, so lookups can check they got the right record.
//
//   tfbench gen OUT NRECORDS LEN            write NRECORDS records to OUT
//   tfbench writeloop PATH N LEN            one record per write() on one
//                                           O_APPEND handle; prints seconds
//   tfbench append NPROC TOTAL LEN CHUNK PATH...
//                                           NPROC processes append TOTAL bytes
//                                           in all, in writes of CHUNK bytes
//                                           of whole records; process k sends
//                                           its j-th write to PATH[(k+j) % n]
//                                           (round robin, as a producer
//                                           spreads records); prints seconds
//   tfbench lookup DIR K NRECORDS SEED      K opens of DIR/<random N> reading
//                                           the first record (reads of 4 KiB
//                                           until a newline); prints the
//                                           median and p90 in microseconds
//   tfbench heat MIB                        touch MIB MiB of fresh anonymous
//                                           memory and free it again (see
//                                           settle() in bench.sh)
//   tfbench hold LISTFILE                   open every path in LISTFILE with
//                                           O_APPEND, write one record to
//                                           each, print "ready", keep them
//                                           open until stdin reaches EOF
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "tfbench: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

void FillRecord(char* p, size_t len, uint64_t seq) {
  static const char kFill[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  char num[32];
  std::snprintf(num, sizeof num, "%012llu", static_cast<unsigned long long>(seq));
  for (size_t i = 0; i + 1 < len; ++i) p[i] = i < 12 ? num[i] : (i == 12 ? ' ' : kFill[(seq + i) % 62]);
  p[len - 1] = '\n';
}

void WriteAll(int fd, const char* p, size_t n, const char* what) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      Die(std::string("write ") + what);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

int Gen(int argc, char** argv) {
  if (argc != 5) return 2;
  uint64_t n = std::strtoull(argv[3], nullptr, 10);
  size_t len = std::strtoul(argv[4], nullptr, 10);
  if (len < 14) { std::fprintf(stderr, "tfbench: LEN must be >= 14\n"); return 2; }
  int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) Die(argv[2]);
  std::vector<char> buf;
  const size_t kBuf = 4 << 20;
  buf.reserve(kBuf + len);
  std::vector<char> rec(len);
  for (uint64_t i = 0; i < n; ++i) {
    FillRecord(rec.data(), len, i);
    buf.insert(buf.end(), rec.begin(), rec.end());
    if (buf.size() >= kBuf) { WriteAll(fd, buf.data(), buf.size(), argv[2]); buf.clear(); }
  }
  WriteAll(fd, buf.data(), buf.size(), argv[2]);
  close(fd);
  return 0;
}

int WriteLoop(int argc, char** argv) {
  if (argc != 5) return 2;
  uint64_t n = std::strtoull(argv[3], nullptr, 10);
  size_t len = std::strtoul(argv[4], nullptr, 10);
  int fd = open(argv[2], O_WRONLY | O_APPEND);
  if (fd < 0) Die(argv[2]);
  std::vector<char> rec(len);
  FillRecord(rec.data(), len, 0);
  double t0 = Now();
  for (uint64_t i = 0; i < n; ++i) WriteAll(fd, rec.data(), len, argv[2]);
  if (close(fd) != 0) Die("close");
  std::printf("%.6f\n", Now() - t0);
  return 0;
}

int Append(int argc, char** argv) {
  if (argc < 7) return 2;
  int nproc = std::atoi(argv[2]);
  uint64_t total = std::strtoull(argv[3], nullptr, 10);
  size_t len = std::strtoul(argv[4], nullptr, 10);
  size_t chunk = std::strtoul(argv[5], nullptr, 10) / len * len;
  if (chunk == 0) chunk = len;
  std::vector<std::string> paths(argv + 6, argv + argc);
  uint64_t per = total / len / nproc;  // records per process
  int go[2];
  if (pipe(go) != 0) Die("pipe");
  std::vector<pid_t> kids;
  for (int k = 0; k < nproc; ++k) {
    pid_t pid = fork();
    if (pid < 0) Die("fork");
    if (pid == 0) {
      close(go[1]);
      std::vector<int> fds;
      for (const std::string& path : paths) {
        int fd = open(path.c_str(), O_WRONLY | O_APPEND);
        if (fd < 0) Die(path);
        fds.push_back(fd);
      }
      std::vector<char> buf(chunk);
      for (size_t off = 0; off < chunk; off += len) FillRecord(buf.data() + off, len, off / len);
      char c;
      if (read(go[0], &c, 1) < 0) Die("read go");  // EOF when the parent closes
      uint64_t left = per * len;
      for (size_t j = k; left > 0; ++j) {
        size_t n = std::min<uint64_t>(left, chunk);
        WriteAll(fds[j % fds.size()], buf.data(), n, paths[j % fds.size()].c_str());
        left -= n;
      }
      for (int fd : fds) if (close(fd) != 0) Die("close");
      _exit(0);
    }
    kids.push_back(pid);
  }
  close(go[0]);
  usleep(50000);  // let every child open its file
  double t0 = Now();
  close(go[1]);
  int bad = 0;
  for (pid_t pid : kids) {
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad = 1;
  }
  double dt = Now() - t0;
  if (bad) { std::fprintf(stderr, "tfbench: an appender failed\n"); return 1; }
  std::printf("%.6f %llu\n", dt, static_cast<unsigned long long>(per * len * nproc));
  return 0;
}

int Lookup(int argc, char** argv) {
  if (argc != 6) return 2;
  std::string dir = argv[2];
  int k = std::atoi(argv[3]);
  uint64_t n = std::strtoull(argv[4], nullptr, 10);
  std::mt19937_64 rng(std::strtoull(argv[5], nullptr, 10));
  std::vector<double> us;
  char buf[65536];
  for (int i = 0; i < k; ++i) {
    uint64_t off = rng() % n;
    std::string path = dir + "/" + std::to_string(off);
    double t0 = Now();
    int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) Die(path);
    size_t got = 0;
    while (got < sizeof buf) {
      ssize_t r = read(fd, buf + got, std::min<size_t>(4096, sizeof buf - got));
      if (r < 0) Die("read " + path);
      if (r == 0) break;
      if (std::memchr(buf + got, '\n', static_cast<size_t>(r)) != nullptr) { got += r; break; }
      got += static_cast<size_t>(r);
    }
    close(fd);
    us.push_back((Now() - t0) * 1e6);
    char want[32];
    std::snprintf(want, sizeof want, "%012llu", static_cast<unsigned long long>(off));
    if (got < 12 || std::memcmp(buf, want, 12) != 0) {
      std::fprintf(stderr, "tfbench: %s starts with '%.12s', want %s\n", path.c_str(), buf, want);
      return 1;
    }
  }
  std::sort(us.begin(), us.end());
  std::printf("%.1f %.1f\n", us[us.size() / 2], us[us.size() * 9 / 10]);
  return 0;
}

int Heat(int argc, char** argv) {
  if (argc != 3) return 2;
  size_t n = std::strtoull(argv[2], nullptr, 10) << 20;
  char* p = static_cast<char*>(std::malloc(n));
  if (p == nullptr) Die("malloc");
  volatile char* v = p;
  for (size_t i = 0; i < n; i += 4096) v[i] = 1;
  std::free(p);
  return 0;
}

int Hold(int argc, char** argv) {
  if (argc != 3) return 2;
  FILE* f = std::fopen(argv[2], "r");
  if (f == nullptr) Die(argv[2]);
  std::vector<int> fds;
  char line[4096];
  char rec[100];
  FillRecord(rec, sizeof rec, 0);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    line[std::strcspn(line, "\n")] = 0;
    if (line[0] == 0) continue;
    int fd = open(line, O_WRONLY | O_APPEND);
    if (fd < 0) Die(line);
    WriteAll(fd, rec, sizeof rec, line);
    fds.push_back(fd);
  }
  std::fclose(f);
  std::printf("ready %zu\n", fds.size());
  std::fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {}
  for (int fd : fds) close(fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  int rc = 2;
  if (cmd == "gen") rc = Gen(argc, argv);
  else if (cmd == "writeloop") rc = WriteLoop(argc, argv);
  else if (cmd == "append") rc = Append(argc, argv);
  else if (cmd == "lookup") rc = Lookup(argc, argv);
  else if (cmd == "hold") rc = Hold(argc, argv);
  else if (cmd == "heat") rc = Heat(argc, argv);
  if (rc == 2) std::fprintf(stderr, "usage: see the comment at the top of bench/peers/tfbench.cc\n");
  return rc;
}
