// The crash test's two halves, run around a kill -9 of the daemon:
//   crash_tool write MNT TOPIC PARTITIONS WRITERS ACK_DIR SECONDS
//     WRITERS threads append records "w<id> s<seq> <filler>\n" of varied
//     length (every fifth filler is NUL bytes) to MNT/TOPIC/<id % PARTITIONS>/current and, after
//     each write() returns in full, record <seq> in ACK_DIR/<id> (outside the store). They stop
//     when the mount dies or SECONDS pass.
//   crash_tool check MNT TOPIC PARTITIONS WRITERS ACK_DIR
//     Reads every partition through the mount and checks that each writer's
//     records are whole, in order, once each, and include every acknowledged
//     one. Prints "acknowledged N lost N duplicated N torn N" and exits 1 on
//     any loss, duplicate, torn or foreign record.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string Record(int writer, long seq) {
  std::string r = "w" + std::to_string(writer) + " s" + std::to_string(seq) + " ";
  // Every fifth record's filler is NUL bytes: data in a newline topic, which
  // recovery in the same boot must keep (DESIGN §4).
  r.append(static_cast<size_t>((seq * 7919 + writer * 31) % 300), seq % 5 == 4 ? '\0' : 'x');
  r.push_back('\n');
  return r;
}

int Write(const std::string& mnt, const std::string& topic, int partitions, int writers,
          const std::string& ack_dir, int seconds) {
  std::atomic<bool> stop{false};
  std::atomic<int> running{writers};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::string path = mnt + "/" + topic + "/" + std::to_string(w % partitions) + "/current";
      int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
      int ack = ::open((ack_dir + "/" + std::to_string(w)).c_str(),
                       O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
      if (fd < 0 || ack < 0) {
        std::perror(path.c_str());
        --running;
        return;
      }
      for (long seq = 0; !stop.load(); ++seq) {
        std::string r = Record(w, seq);
        if (::write(fd, r.data(), r.size()) != static_cast<ssize_t>(r.size())) break;
        std::string line = std::to_string(seq) + "\n";
        if (::write(ack, line.data(), line.size()) < 0) break;
      }
      ::close(fd);
      ::close(ack);
      --running;
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (running.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  for (auto& t : threads) t.join();
  return 0;
}

long LastAcked(const std::string& path) {
  std::ifstream in(path);
  long seq = -1, v;
  while (in >> v) seq = v;
  return seq;
}

int Check(const std::string& mnt, const std::string& topic, int partitions, int writers,
          const std::string& ack_dir) {
  std::vector<long> next(writers, 0);  // the seq each writer's next record must have
  long torn = 0, duplicated = 0, foreign = 0;
  for (int p = 0; p < partitions; ++p) {
    std::string base = mnt + "/" + topic + "/" + std::to_string(p);
    // Read from the log start (the start offset is an xattr; 0 is always
    // at or below it unless retention ran, which these tests do not set).
    std::ifstream in(base + "/from/0", std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s/from/0\n", base.c_str());
      return 1;
    }
    std::string line;
    while (std::getline(in, line)) {
      int w;
      long seq;
      char space;
      if (std::sscanf(line.c_str(), "w%d s%ld%c", &w, &seq, &space) != 3 || w < 0 || w >= writers ||
          w % partitions != p) {
        ++foreign;
        continue;
      }
      if (line + "\n" != Record(w, seq)) {
        ++torn;
        continue;
      }
      if (seq < next[w])
        ++duplicated;
      else if (seq > next[w]) {
        std::fprintf(stderr, "writer %d: record %ld missing before %ld\n", w, next[w], seq);
        next[w] = seq + 1;
        ++torn;  // a gap: counted below as lost if acknowledged
      } else {
        next[w] = seq + 1;
      }
    }
    if (!in.eof()) ++torn;
  }
  long acknowledged = 0, lost = 0;
  for (int w = 0; w < writers; ++w) {
    long last = LastAcked(ack_dir + "/" + std::to_string(w));
    acknowledged += last + 1;
    if (next[w] <= last) lost += last + 1 - next[w];
  }
  std::printf("acknowledged %ld lost %ld duplicated %ld torn %ld foreign %ld\n", acknowledged, lost,
              duplicated, torn, foreign);
  return lost || duplicated || torn || foreign ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "write" && argc == 8) {
    return Write(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]), argv[6],
                 std::atoi(argv[7]));
  }
  if (mode == "check" && argc == 7) {
    return Check(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]), argv[6]);
  }
  std::fprintf(stderr,
               "usage: crash_tool write MNT TOPIC PARTITIONS WRITERS ACK_DIR SECONDS\n"
               "       crash_tool check MNT TOPIC PARTITIONS WRITERS ACK_DIR\n");
  return 2;
}
