#include "tests/e2e/s3_server.h"

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace topicfs::e2e {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Waits up to 20 s for `pattern`'s first group (a port) to appear in `path`.
int WaitForPort(const std::string& path, const std::regex& pattern) {
  for (int i = 0; i < 1000; ++i) {
    std::smatch m;
    const std::string text = ReadAll(path);
    if (std::regex_search(text, m, pattern)) return std::stoi(m[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

}  // namespace

bool S3Server::Start(const std::string& dir, std::string* why) {
  dir_ = dir;
  const std::string s3rver_dir = TOPICFS_S3RVER_DIR;
  // s3rver ciphers its continuation tokens with DES, which OpenSSL 3 keeps
  // in its legacy provider.
  if (!s3rver_.Start({"node", "--openssl-legacy-provider", s3rver_dir + "/node_modules/s3rver/bin/s3rver.js", "-d",
                      dir + "/s3rver-data", "-a", "127.0.0.1", "-p", "0",
                      "--configure-bucket", kBucket},
                     dir, dir + "/s3rver.out", dir + "/s3rver.err")) {
    *why = "cannot start s3rver (scripts/deps.sh installs it)";
    return false;
  }
  // Not --silent: that hides the line that says the port.
  const int s3rver_port = WaitForPort(dir + "/s3rver.out", std::regex("listening on [^:]+:(\\d+)"));
  if (s3rver_port == 0) {
    *why = "s3rver did not say where it listens: " + ReadAll(dir + "/s3rver.err");
    return false;
  }
  if (!proxy_.Start({"/usr/bin/python3", s3rver_dir + "/s3_proxy.py", std::to_string(s3rver_port),
                     kSecretKey, dir + "/fault"},
                    dir, dir + "/proxy.out", dir + "/proxy.err")) {
    *why = "cannot start s3_proxy.py";
    return false;
  }
  proxy_port_ = WaitForPort(dir + "/proxy.out", std::regex("listening (\\d+)"));
  if (proxy_port_ == 0) {
    *why = "s3_proxy.py did not start: " + ReadAll(dir + "/proxy.err");
    return false;
  }
  return true;
}

void S3Server::Stop() {
  proxy_.Stop();
  s3rver_.Stop();
}

void S3Server::SetFault(const std::string& fault) {
  std::ofstream(dir_ + "/fault") << fault << "\n";
}

std::string S3Server::ProxyLog() const { return ReadAll(dir_ + "/proxy.err"); }

}  // namespace topicfs::e2e
