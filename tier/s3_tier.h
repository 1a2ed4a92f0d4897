// The remote tier in an S3-compatible object store (`-o tier=s3://BUCKET/PREFIX`):
// AWS S3, Ceph RGW, MinIO and the like, reached with path-style URLs.
//
// Requests are made with libcurl, which signs them (CURLOPT_AWS_SIGV4);
// topicfs only sets x-amz-content-sha256, the SHA-256 of the body it sends
// (curl 7.88 signs that hash but does not send the header). Objects above
// kMultipartBytes go up in parts of that size. Every request is retried on
// a network error, a 5xx or a 429, with exponential back-off and jitter;
// easy handles are pooled so that connections are reused.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/remote_tier.h"
#include "tier/s3_request.h"

namespace topicfs::tier {

struct S3Location {
  std::string endpoint;  // "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000"
  std::string region;
  std::string bucket;
  std::string prefix;  // without a trailing '/'; may be empty
};

class S3Tier : public store::RemoteTier {
 public:
  static constexpr int64_t kMultipartBytes = 64 << 20;

  S3Tier(S3Location where, S3Credentials credentials);
  ~S3Tier() override;

  std::string Describe() const override;
  store::Status PutFile(const std::string& key, int fd, int64_t size) override;
  store::Status PutBytes(const std::string& key, std::string_view bytes) override;
  store::Result<size_t> GetRange(const std::string& key, int64_t pos, char* buf,
                                 size_t len) override;
  store::Result<std::string> GetAll(const std::string& key) override;
  store::Status Delete(const std::string& key) override;
  store::Result<std::vector<store::RemoteObject>> List(const std::string& prefix) override;

 private:
  // "/BUCKET/PREFIX/KEY", encoded.
  std::string ObjectPath(const std::string& key) const;
  store::Status PutMultipart(const std::string& key, int fd, int64_t size);
  // A PUT of `len` bytes of `fd` from `offset`, streamed.
  store::Result<S3Request> FileRequest(const std::string& path, std::string query, int fd,
                                       int64_t offset, int64_t len);

  S3Location where_;
  std::unique_ptr<S3Client> client_;
};

}  // namespace topicfs::tier
