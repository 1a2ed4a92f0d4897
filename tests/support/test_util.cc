#include "tests/support/test_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "gtest/gtest.h"

namespace topicfs::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/topicfs-test-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) {
    ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    return;
  }
  path_ = made;
}

TempDir::~TempDir() {
  if (!path_.empty()) RemoveTree(path_);
}

std::string ReadFile(const std::string& path) {
  std::string out;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    ADD_FAILURE() << "open " << path << ": " << std::strerror(errno);
    return out;
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

static void WriteMode(const std::string& path, std::string_view bytes, const char* mode) {
  FILE* f = std::fopen(path.c_str(), mode);
  if (f == nullptr) {
    ADD_FAILURE() << "open " << path << ": " << std::strerror(errno);
    return;
  }
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    ADD_FAILURE() << "write " << path << ": " << std::strerror(errno);
  }
  std::fclose(f);
}

void WriteFile(const std::string& path, std::string_view bytes) { WriteMode(path, bytes, "wb"); }
void AppendToFile(const std::string& path, std::string_view bytes) { WriteMode(path, bytes, "ab"); }

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    ADD_FAILURE() << "stat " << path << ": " << std::strerror(errno);
    return -1;
  }
  return st.st_size;
}

void RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0)
    ADD_FAILURE() << "unlink " << path << ": " << std::strerror(errno);
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

void TruncateFile(const std::string& path, int64_t size) {
  if (::truncate(path.c_str(), size) != 0) {
    ADD_FAILURE() << "truncate " << path << ": " << std::strerror(errno);
  }
}

void OverwriteAt(const std::string& path, int64_t pos, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    ADD_FAILURE() << "open " << path << ": " << std::strerror(errno);
    return;
  }
  if (::pwrite(fd, bytes.data(), bytes.size(), pos) != static_cast<ssize_t>(bytes.size())) {
    ADD_FAILURE() << "pwrite " << path << ": " << std::strerror(errno);
  }
  ::close(fd);
}

void FlipByte(const std::string& path, int64_t pos) {
  std::string all = ReadFile(path);
  if (pos < 0 || pos >= static_cast<int64_t>(all.size())) {
    ADD_FAILURE() << "FlipByte " << pos << " outside " << path;
    return;
  }
  char c = static_cast<char>(all[pos] ^ 0x20);
  if (c == '\n' || c == '\0') c = static_cast<char>(all[pos] ^ 0x01);
  OverwriteAt(path, pos, std::string_view(&c, 1));
}

std::string MakeRecords(int64_t first, int64_t count, std::string_view prefix, int width,
                        char delim) {
  std::string out;
  char num[32];
  for (int64_t i = first; i < first + count; ++i) {
    std::snprintf(num, sizeof num, "%0*lld", width, static_cast<long long>(i));
    out.append(prefix).append(num);
    out.push_back(delim);
  }
  return out;
}

std::vector<std::string> SplitRecords(std::string_view data, char delim) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find(delim, start);
    if (end == std::string_view::npos) {
      out.emplace_back(data.substr(start));
      break;
    }
    out.emplace_back(data.substr(start, end - start + 1));
    start = end + 1;
  }
  return out;
}

std::string HexBytes(std::string_view bytes) {
  std::string out;
  char buf[4];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    if (!out.empty()) out.push_back(' ');
    out.append(buf);
  }
  return out;
}

// TestEnv

namespace {

class ForwardingEnv : public store::Env {
 public:
  void Install(store::Env* injector) { injector_.store(injector); }
  size_t BeforeWrite(const std::string& path, size_t len, int* err) override {
    store::Env* f = injector_.load();
    return f == nullptr ? len : f->BeforeWrite(path, len, err);
  }
  int BeforeSync(const std::string& path) override {
    store::Env* f = injector_.load();
    return f == nullptr ? 0 : f->BeforeSync(path);
  }
  int BeforeSyncFilesystem(const std::string& dir) override {
    store::Env* f = injector_.load();
    return f == nullptr ? 0 : f->BeforeSyncFilesystem(dir);
  }
  int BeforeOpen(const std::string& path) override {
    store::Env* f = injector_.load();
    return f == nullptr ? 0 : f->BeforeOpen(path);
  }

 private:
  std::atomic<store::Env*> injector_{nullptr};
};

ForwardingEnv& Forwarding() {
  static ForwardingEnv env;
  return env;
}

}  // namespace

store::Env& TestEnv() { return Forwarding(); }

ScopedFaultInjector::ScopedFaultInjector(store::Env* injector) { Forwarding().Install(injector); }

ScopedFaultInjector::~ScopedFaultInjector() { Forwarding().Install(nullptr); }

// ---------------------------------------------------------------------------
// ScriptedFaultInjector

void ScriptedFaultInjector::FailWrite(std::string path_suffix, size_t allowed, int err, int skip,
                                      bool sticky) {
  std::lock_guard<std::mutex> l(mu_);
  write_rules_.push_back({std::move(path_suffix), allowed, err, skip, sticky});
}

void ScriptedFaultInjector::FailSync(std::string path_suffix, int err, int skip, bool sticky) {
  std::lock_guard<std::mutex> l(mu_);
  sync_rules_.push_back({std::move(path_suffix), 0, err, skip, sticky});
}

void ScriptedFaultInjector::FailOpen(std::string path_suffix, int err, int skip, bool sticky) {
  std::lock_guard<std::mutex> l(mu_);
  open_rules_.push_back({std::move(path_suffix), 0, err, skip, sticky});
}

void ScriptedFaultInjector::Clear() {
  std::lock_guard<std::mutex> l(mu_);
  write_rules_.clear();
  sync_rules_.clear();
  open_rules_.clear();
}

int ScriptedFaultInjector::writes() const {
  std::lock_guard<std::mutex> l(mu_);
  return writes_;
}
int ScriptedFaultInjector::syncs() const {
  std::lock_guard<std::mutex> l(mu_);
  return syncs_;
}
int ScriptedFaultInjector::fired() const {
  std::lock_guard<std::mutex> l(mu_);
  return fired_;
}

size_t ScriptedFaultInjector::BeforeWrite(const std::string& path, size_t len, int* err) {
  std::lock_guard<std::mutex> l(mu_);
  ++writes_;
  for (size_t i = 0; i < write_rules_.size(); ++i) {
    Rule& r = write_rules_[i];
    if (!path.ends_with(r.suffix)) continue;
    if (r.skip > 0) {
      --r.skip;
      continue;
    }
    ++fired_;
    *err = r.err;
    size_t allowed = std::min(r.allowed, len);
    if (!r.sticky) write_rules_.erase(write_rules_.begin() + i);
    return allowed;
  }
  return len;
}

int ScriptedFaultInjector::Fire(std::vector<Rule>& rules, const std::string& path) {
  for (size_t i = 0; i < rules.size(); ++i) {
    Rule& r = rules[i];
    if (!path.ends_with(r.suffix)) continue;
    if (r.skip > 0) {
      --r.skip;
      continue;
    }
    ++fired_;
    int err = r.err;
    if (!r.sticky) rules.erase(rules.begin() + i);
    return err;
  }
  return 0;
}

int ScriptedFaultInjector::BeforeSync(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  ++syncs_;
  return Fire(sync_rules_, path);
}

int ScriptedFaultInjector::BeforeOpen(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  return Fire(open_rules_, path);
}

// PowerLossInjector

PowerLossInjector::PowerLossInjector(std::string root, std::string shadow)
    : root_(std::move(root)), shadow_(std::move(shadow)) {}

size_t PowerLossInjector::BeforeWrite(const std::string&, size_t len, int*) { return len; }

int PowerLossInjector::BeforeSync(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return 0;
  fs::path rel = fs::path(path).lexically_relative(root_);
  if (rel.empty() || rel.native().starts_with("..")) return 0;
  fs::path dst = fs::path(shadow_) / rel;
  fs::create_directories(dst.parent_path(), ec);
  fs::copy_file(path, dst, fs::copy_options::overwrite_existing, ec);
  return 0;
}

int PowerLossInjector::BeforeSyncFilesystem(const std::string&) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file()) BeforeSync(it->path().string());
  }
  return 0;
}

void PowerLossInjector::PowerLoss() const {
  std::error_code ec;
  fs::path topics = fs::path(root_) / "topics";
  for (auto it = fs::recursive_directory_iterator(topics, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file()) continue;
    fs::path rel = it->path().lexically_relative(root_);
    fs::path saved = fs::path(shadow_) / rel;
    if (fs::exists(saved)) {
      fs::copy_file(saved, it->path(), fs::copy_options::overwrite_existing, ec);
    } else {
      fs::resize_file(it->path(), 0, ec);
    }
  }
}

std::unique_ptr<store::Store> OpenStore(const std::string& data_dir, bool full_recovery,
                                        store::RecoveryReporter* reporter,
                                        const std::string& boot_id) {
  store::Store::Options options;
  options.data_dir = data_dir;
  options.full_recovery = full_recovery;
  options.reporter = reporter;
  options.boot_id = boot_id;
  options.env = &TestEnv();
  auto opened = store::Store::Open(options);
  if (!opened.ok()) {
    ADD_FAILURE() << "open store " << data_dir << ": " << opened.status().ToString();
    return nullptr;
  }
  return std::move(*opened);
}

store::TopicConfig Config(std::initializer_list<std::pair<const char*, const char*>> values) {
  store::TopicConfig config;
  for (auto [name, value] : values) {
    store::Status s = config.Set(name, value);
    if (!s.ok()) ADD_FAILURE() << name << "=" << value << ": " << s.ToString();
  }
  return config;
}

std::string ReadFrom(const std::shared_ptr<store::Partition>& p, int64_t offset) {
  auto reader = store::PartitionReader::FromOffset(p, store::Offset(offset));
  if (!reader.ok()) {
    ADD_FAILURE() << "reader from offset " << offset << ": " << reader.status().ToString();
    return "";
  }
  std::string out;
  std::vector<char> buf(1 << 16);
  for (;;) {
    auto n = (*reader)->ReadAt(store::ReadPosition(static_cast<int64_t>(out.size())), buf.data(),
                               buf.size());
    if (!n.ok()) {
      ADD_FAILURE() << "read from offset " << offset << ": " << n.status().ToString();
      return out;
    }
    if (*n == 0) return out;
    out.append(buf.data(), *n);
  }
}

std::string ReadAll(const std::shared_ptr<store::Partition>& p) {
  return ReadFrom(p, p->log_start_offset());
}

void AppendOk(store::Partition& p, std::string_view records, int64_t now_ms) {
  store::Partition::AppendResult r = p.Append(records, {}, now_ms);
  if (!r.status.ok() || r.bytes != records.size()) {
    ADD_FAILURE() << "append of " << records.size() << " bytes took " << r.bytes << ": "
                  << r.status.ToString();
  }
}

std::string PartitionDir(const std::string& data_dir, std::string_view topic, int p) {
  return data_dir + "/topics/" + std::string(topic) + "/" + std::to_string(p);
}

std::vector<std::string> LogFiles(const std::string& partition_dir) {
  std::vector<std::string> out;
  for (const std::string& name : ListDir(partition_dir)) {
    if (name.ends_with(".log")) out.push_back(partition_dir + "/" + name);
  }
  return out;
}

int64_t CollectingReporter::BytesCut(const std::string& path) const {
  std::lock_guard<std::mutex> l(mu_);
  int64_t total = 0;
  for (const auto& c : cuts_) {
    if (c.path == path) total += c.bytes;
  }
  return total;
}

int RunInChild(const std::function<bool()>& body) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return -1;
  }
  if (pid == 0) {
    int code = 2;
    try {
      code = body() ? 0 : 1;
    } catch (...) {
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

}  // namespace topicfs::test
