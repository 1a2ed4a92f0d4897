// Store-level benchmarks (issue 2, item 5):
//   - append of 100-byte records written in 64 KiB chunks through
//     RecordAssembler -> Partition, against a plain write() loop of the same
//     chunks to a file on the same disk, in the same run (target: >= 0.7x);
//   - lookup by offset (Partition::LocateOffset at random offsets) in a
//     partition of 10^4 and of 10^7 records (target: 10^7 within 1.5x).
// Data lives under $TOPICFS_BENCH_DIR (default /tmp), which should be on the
// same filesystem as the store it stands for.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/partition.h"
#include "store/record_assembler.h"
#include "store/store.h"

namespace topicfs::store {
namespace {

namespace fs = std::filesystem;

constexpr size_t kRecordBytes = 100;
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kAppendBytesPerRound = 64ull << 20;  // 64 MiB per measured round

std::string BenchRoot() {
  const char* env = std::getenv("TOPICFS_BENCH_DIR");
  std::string base = env && *env ? env : "/tmp";
  std::string tmpl = base + "/topicfs-bench-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(1);
  }
  return tmpl;
}

// `bytes` of 100-byte newline-terminated records ("0000000042 xxxx...\n").
const std::string& RecordStream() {
  static const std::string stream = [] {
    std::string s;
    s.reserve(kAppendBytesPerRound);
    char rec[kRecordBytes + 1];
    for (size_t i = 0; s.size() + kRecordBytes <= kAppendBytesPerRound; ++i) {
      std::snprintf(rec, sizeof rec, "%010zu ", i);
      std::memset(rec + 11, 'x', kRecordBytes - 12);
      rec[kRecordBytes - 1] = '\n';
      s.append(rec, kRecordBytes);
    }
    return s;
  }();
  return stream;
}

// Seconds of CPU this thread used (user + system): immune to the other
// processes sharing the machine, and the cost that matters for writes into
// the page cache (writeback runs in kernel threads, for both loops alike).
double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct RoundTime {
  double wall = 0;
  double cpu = 0;
};

// One round of the plain write() loop.
RoundTime PlainWriteRound(const std::string& path) {
  const std::string& data = RecordStream();
  const double c0 = ThreadCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) std::abort();
  for (size_t pos = 0; pos < data.size(); pos += kChunkBytes) {
    size_t n = std::min(kChunkBytes, data.size() - pos);
    if (::write(fd, data.data() + pos, n) != static_cast<ssize_t>(n)) std::abort();
  }
  ::close(fd);
  auto t1 = std::chrono::steady_clock::now();
  const double c1 = ThreadCpuSeconds();
  ::unlink(path.c_str());
  return {std::chrono::duration<double>(t1 - t0).count(), c1 - c0};
}

// One round through the store: a fresh topic, the chunks fed to a
// RecordAssembler as a FUSE write handler would.
RoundTime StoreAppendRound(Store& store, int round) {
  const std::string& data = RecordStream();
  const std::string topic = "bench" + std::to_string(round);
  if (!store.CreateTopic(topic, 1, TopicConfig()).ok()) std::abort();
  std::shared_ptr<Partition> p = store.FindPartition(topic, 0);
  const double c0 = ThreadCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  {
    RecordAssembler assembler(p);
    for (size_t pos = 0; pos < data.size(); pos += kChunkBytes) {
      size_t n = std::min(kChunkBytes, data.size() - pos);
      auto r = assembler.Write(std::string_view(data).substr(pos, n));
      if (!r.ok() || *r != n) std::abort();
    }
    if (!assembler.Flush().ok()) std::abort();
  }
  auto t1 = std::chrono::steady_clock::now();
  const double c1 = ThreadCpuSeconds();
  if (!store.DeleteTopic(topic, false).ok()) std::abort();
  return {std::chrono::duration<double>(t1 - t0).count(), c1 - c0};
}

std::unique_ptr<Store> OpenBenchStore(const std::string& dir) {
  auto opened = Store::Open({.data_dir = dir});
  if (!opened.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), opened.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*opened);
}

void BM_PlainWriteLoop(benchmark::State& state) {
  const std::string root = BenchRoot();
  RecordStream();
  for (auto _ : state) {
    state.SetIterationTime(PlainWriteRound(root + "/plain.log").wall);
  }
  state.SetBytesProcessed(state.iterations() * RecordStream().size());
  fs::remove_all(root);
}
BENCHMARK(BM_PlainWriteLoop)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(3);

void BM_StoreAppend(benchmark::State& state) {
  const std::string root = BenchRoot();
  RecordStream();
  auto store = OpenBenchStore(root + "/data");
  int round = 0;
  for (auto _ : state) {
    state.SetIterationTime(StoreAppendRound(*store, round++).wall);
  }
  state.SetBytesProcessed(state.iterations() * RecordStream().size());
  state.counters["records/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * (RecordStream().size() / kRecordBytes)),
      benchmark::Counter::kIsRate);
  store.reset();
  fs::remove_all(root);
}
BENCHMARK(BM_StoreAppend)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(3);

// Both loops in the same iterations, alternating, so the ratio is measured
// under the same disk and cache conditions. ratio = store bytes/s divided by
// write() bytes/s, from wall time (median of the rounds) and from the
// thread's CPU time (totals), which other load on the machine barely moves.
void BM_AppendVsWriteRatio(benchmark::State& state) {
  const std::string root = BenchRoot();
  RecordStream();
  auto store = OpenBenchStore(root + "/data");
  RoundTime plain_total, store_total;
  std::vector<double> wall_ratios;
  int round = 0;
  for (auto _ : state) {
    RoundTime plain, appended;
    if (round % 2 == 0) {
      plain = PlainWriteRound(root + "/plain.log");
      appended = StoreAppendRound(*store, round);
    } else {
      appended = StoreAppendRound(*store, round);
      plain = PlainWriteRound(root + "/plain.log");
    }
    ++round;
    plain_total.wall += plain.wall;
    plain_total.cpu += plain.cpu;
    store_total.wall += appended.wall;
    store_total.cpu += appended.cpu;
    wall_ratios.push_back(plain.wall / appended.wall);
    state.SetIterationTime(appended.wall);
  }
  std::sort(wall_ratios.begin(), wall_ratios.end());
  const double bytes = static_cast<double>(state.iterations() * RecordStream().size());
  state.counters["write_MiB/s"] = bytes / plain_total.wall / (1 << 20);
  state.counters["store_MiB/s"] = bytes / store_total.wall / (1 << 20);
  state.counters["ratio_wall_median"] = wall_ratios[wall_ratios.size() / 2];
  state.counters["ratio_cpu"] = plain_total.cpu / store_total.cpu;
  state.counters["write_cpu_ms"] = plain_total.cpu * 1e3 / state.iterations();
  state.counters["store_cpu_ms"] = store_total.cpu * 1e3 / state.iterations();
  store.reset();
  fs::remove_all(root);
}
BENCHMARK(BM_AppendVsWriteRatio)->UseManualTime()->Iterations(20)->Unit(benchmark::kMillisecond);

// `state.range(0)` records appended once, for counting syscalls from
// outside (docs/PERFORMANCE.md): run under `strace -f -c` at two sizes; the
// difference is what the extra records cost.
void BM_AppendOnceForSyscallCount(benchmark::State& state) {
  const std::string root = BenchRoot();
  const std::string& data = RecordStream();
  auto store = OpenBenchStore(root + "/data");
  if (!store->CreateTopic("count", 1, TopicConfig()).ok()) std::abort();
  auto p = store->FindPartition("count", 0);
  const size_t bytes = std::min<size_t>(state.range(0) * kRecordBytes, data.size());
  for (auto _ : state) {
    RecordAssembler assembler(p);
    for (size_t pos = 0; pos < bytes; pos += kChunkBytes) {
      const size_t len = std::min(kChunkBytes, bytes - pos);
      auto r = assembler.Write(std::string_view(data).substr(pos, len));
      if (!r.ok() || *r != len) std::abort();
    }
    if (!assembler.Flush().ok()) std::abort();
  }
  state.counters["records"] = static_cast<double>(p->log_end_offset());
  store.reset();
  fs::remove_all(root);
}
BENCHMARK(BM_AppendOnceForSyscallCount)
    ->Arg(65'536)->Arg(655'360)->Iterations(1)->Unit(benchmark::kMillisecond);

// A partition of `records` 100-byte records, built once per size and kept
// for the process (building 10^7 records writes 1 GB).
struct LookupFixture {
  std::string root;
  std::unique_ptr<Store> store;
  std::shared_ptr<Partition> partition;
};

LookupFixture& FixtureFor(int64_t records) {
  static std::map<int64_t, std::unique_ptr<LookupFixture>> fixtures;
  auto& f = fixtures[records];
  if (f) return *f;
  f = std::make_unique<LookupFixture>();
  f->root = BenchRoot();
  f->store = OpenBenchStore(f->root + "/data");
  TopicConfig config;
  if (!config.Set("segment.bytes", "128M").ok()) std::abort();
  if (!f->store->CreateTopic("lookup", 1, config).ok()) std::abort();
  f->partition = f->store->FindPartition("lookup", 0);
  const std::string& data = RecordStream();
  RecordAssembler assembler(f->partition);
  int64_t left = records * static_cast<int64_t>(kRecordBytes);
  while (left > 0) {
    const size_t n = std::min<int64_t>(left, data.size());
    for (size_t pos = 0; pos < n; pos += kChunkBytes) {
      const size_t len = std::min(kChunkBytes, n - pos);
      auto r = assembler.Write(std::string_view(data).substr(pos, len));
      if (!r.ok() || *r != len) std::abort();
    }
    left -= static_cast<int64_t>(n);
  }
  if (!assembler.Flush().ok()) std::abort();
  std::atexit([] { fixtures.clear(); });
  return *f;
}

void BM_LocateOffset(benchmark::State& state) {
  LookupFixture& f = FixtureFor(state.range(0));
  Partition& p = *f.partition;
  const int64_t end = p.log_end_offset();
  if (end != state.range(0)) {
    state.SkipWithError("partition holds the wrong number of records");
    return;
  }
  std::mt19937_64 rng(42);
  std::vector<int64_t> targets(1 << 16);
  for (auto& t : targets) t = static_cast<int64_t>(rng() % end);
  // Warm the page cache and the index mappings as a running daemon would be.
  for (int64_t t : targets) benchmark::DoNotOptimize(p.LocateOffset(t));
  size_t i = 0;
  for (auto _ : state) {
    auto start = p.LocateOffset(targets[i++ & (targets.size() - 1)]);
    benchmark::DoNotOptimize(start);
  }
  state.counters["segments"] = static_cast<double>(p.segment_count());
}
BENCHMARK(BM_LocateOffset)->Arg(10'000)->Arg(10'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace topicfs::store

BENCHMARK_MAIN();
