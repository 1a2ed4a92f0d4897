// A real S3-protocol server for the tiered-storage tests: s3rver (from npm,
// installed by scripts/deps.sh) behind tests/e2e/s3rver/s3_proxy.py, which
// checks every SigV4 signature with botocore and injects 500s and slow
// answers on request. Both are started per test and stopped by their pids.
#pragma once

#include <memory>
#include <string>

#include "tests/support/background_process.h"

namespace topicfs::e2e {

class S3Server {
 public:
  // s3rver's built-in account, the only one it knows.
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecretKey = "S3RVER";
  static constexpr const char* kBucket = "tier";

  // Starts both under `dir`; false (with `*why`) when either did not come up.
  bool Start(const std::string& dir, std::string* why);
  void Stop();
  // The proxy's endpoint, what topicfs is given: "http://127.0.0.1:PORT".
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(proxy_port_); }
  // Faults of the proxy: "fail500 N", "slow MS", "ok".
  void SetFault(const std::string& fault);
  // What the proxy refused, for messages.
  std::string ProxyLog() const;

 private:
  std::string dir_;
  BackgroundProcess s3rver_;
  BackgroundProcess proxy_;
  int proxy_port_ = 0;
};

}  // namespace topicfs::e2e
