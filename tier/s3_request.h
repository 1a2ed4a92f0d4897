// One S3 request, signed by libcurl and retried, over a pool of curl easy
// handles (each keeps its connection alive for the next request).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

typedef void CURL;

namespace topicfs::tier {

struct S3Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // temporary credentials only
  // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, else
  // the profile AWS_PROFILE (default "default") of AWS_SHARED_CREDENTIALS_FILE
  // (default ~/.aws/credentials). InvalidArgument when neither has them.
  static store::Result<S3Credentials> FromEnvironment();
  // The [profile] of an AWS credentials file's text.
  static store::Result<S3Credentials> FromFileText(std::string_view text, std::string_view profile);
};

struct S3Request {
  std::string method;  // GET PUT POST DELETE HEAD
  // Already encoded: path "/bucket/key", query in AWS's canonical order
  // ("a=1&b=" — every name with '=', sorted), as curl 7.88 signs them as given.
  std::string path = {};
  std::string query = {};
  std::string_view body = {};  // sent as is; its SHA-256 is signed
  // Or a body read from a file as it is sent (a segment, a part of one),
  // never held in memory whole; `file_sha256` is its hex SHA-256
  // (Sha256HexOfFile), computed once for every attempt.
  int file_fd = -1;
  int64_t file_offset = 0;
  int64_t file_len = 0;
  std::string file_sha256 = {};
  std::vector<std::string> headers = {};  // "Name: value"
  // GET into a caller's buffer of this size instead of `S3Response::body`.
  char* into = nullptr;
  size_t into_len = 0;
};

struct S3Response {
  long status = 0;
  std::string body;
  size_t into_got = 0;
  std::string etag;
};

class S3Client {
 public:
  S3Client(std::string endpoint, std::string region, S3Credentials credentials);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Performs `request`, retrying network errors, 5xx and 429 answers up to
  // kAttempts times with back-off and jitter. Any other answer is returned
  // as it came: the caller judges 2xx from 4xx (StatusOf).
  store::Result<S3Response> Perform(const S3Request& request);

  static constexpr int kAttempts = 5;

 private:
  CURL* Acquire();
  void Release(CURL* handle);
  store::Result<S3Response> PerformOnce(CURL* handle, const S3Request& request);

  const std::string endpoint_;
  const std::string sigv4_;    // "aws:amz:REGION:s3"
  const std::string userpwd_;  // "KEY:SECRET"
  const std::string session_token_;
  std::mutex mu_;
  std::vector<CURL*> idle_;  // guarded by mu_
};

// What an answer means: OK for 2xx; NotFound for 404; Permission for 401
// and 403; Unavailable for what retries could not get past; IOError else.
// The message names `what` and S3's own error code and message.
store::Status StatusOf(const S3Response& response, std::string_view what);

// AWS's URI encoding: unreserved characters kept, '/' kept when
// `keep_slash`, everything else %XX.
std::string UriEncode(std::string_view text, bool keep_slash);
// Lowercase hex SHA-256 of `bytes`.
std::string Sha256Hex(std::string_view bytes);
// The same of `len` bytes of `fd` from `offset`, read 1 MiB at a time.
store::Result<std::string> Sha256HexOfFile(int fd, int64_t offset, int64_t len);

}  // namespace topicfs::tier
