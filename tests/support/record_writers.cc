#include "tests/support/record_writers.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace topicfs::e2e {
namespace {

// Python's buffered writer: f.write(record) may return after a short count
// with the record's tail in its buffer; f.flush() sends it again.
constexpr char kPythonWriter[] = R"(import os, sys
path, rec, nxt = sys.argv[1], open(sys.argv[2], 'rb').read(), sys.argv[3].encode()
free = sys.argv[4] if len(sys.argv) > 4 else ''
errs = []
f = open(path, 'ab')
for step in ('write', 'flush', 'next', 'close'):
    try:
        if step == 'write':
            f.write(rec)
            if free: os.unlink(free)
        elif step == 'flush': f.flush()
        elif step == 'next': f.write(nxt); f.flush()
        else: f.close()
    except OSError as e:
        errs.append(e.errno)
print(' '.join(str(e) for e in errs))
)";

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::vector<int> Numbers(const std::string& text) {
  std::vector<int> out;
  std::istringstream in(text);
  int n;
  while (in >> n) out.push_back(n);
  return out;
}

}  // namespace

const char* WriterName(Writer w) {
  switch (w) {
    case Writer::kPython:
      return "python open('ab')";
    case Writer::kStdio:
      return "stdio fwrite";
    case Writer::kDd:
      return "dd bs=1M";
    case Writer::kCat:
      return "cat";
  }
  return "?";
}

std::string ErrnoText(int err) { return std::strerror(err); }

std::string RecordWritersTest::MakeRecordFile(size_t size) {
  std::string rec(size, '\n');
  uint32_t x = 12345;
  for (size_t i = 0; i + 1 < size; ++i) {
    x = x * 1103515245 + 12345;
    rec[i] = static_cast<char>('a' + (x >> 16) % 26);
  }
  std::string path = Dir("record-" + std::to_string(size));
  std::ofstream(path, std::ios::binary) << rec;
  return path;
}

WriterRun RecordWritersTest::Append(Writer w, const std::string& path,
                                    const std::string& record_file, const std::string& next,
                                    const std::string& free_between) {
  WriterRun run;
  ShellResult r;
  const std::string args = Quote(path) + " " + Quote(record_file) + " " + Quote(next) + " " +
                           (free_between.empty() ? "" : Quote(free_between));
  switch (w) {
    case Writer::kPython: {
      std::ofstream(Dir("writer.py")) << kPythonWriter;
      r = Sh("python3 " + Quote(Dir("writer.py")) + " " + args);
      run.errors = Numbers(r.out);
      break;
    }
    case Writer::kStdio:
      r = Sh(std::string(TOPICFS_STDIO_WRITER) + " " + args);
      run.errors = Numbers(r.out);
      break;
    case Writer::kDd:
    case Writer::kCat: {
      const std::string cmd =
          w == Writer::kDd
              ? "dd bs=1M oflag=append conv=notrunc status=none if=" + Quote(record_file) +
                    " of=" + Quote(path)
              : "cat " + Quote(record_file) + " >> " + Quote(path);
      r = Sh(cmd);
      for (int err : {EMSGSIZE, ENOSPC}) {
        if (r.err.find(ErrnoText(err)) != std::string::npos) run.errors.push_back(err);
      }
      if (!free_between.empty()) Sh("rm -f " + Quote(free_between));
      ShellResult n = Sh("printf '%s' " + Quote(next) + " >> " + Quote(path));
      if (n.status != 0) run.errors.push_back(-1);
      r.err += n.err;
      break;
    }
  }
  run.output = r.out + r.err;
  return run;
}

std::string RecordWritersTest::LogBytes(const std::string& partition_dir) {
  return Out("cat " + Quote(partition_dir) + "/*.log");
}

void RecordWritersTest::ExpectLog(const std::string& partition_dir, const std::string& expected) {
  const std::string log = LogBytes(partition_dir);
  if (log == expected) return;
  size_t at = 0;
  while (at < log.size() && at < expected.size() && log[at] == expected[at]) ++at;
  ADD_FAILURE() << "the log holds " << log.size() << " bytes, expected " << expected.size()
                << "; they differ from byte " << at << ": log \"" << log.substr(at, 40)
                << "\"..., expected \"" << expected.substr(at, 40) << "\"...";
}

}  // namespace topicfs::e2e
