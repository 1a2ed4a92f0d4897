#include "tier/s3_request.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "store/file_io.h"
#include "tier/s3_xml.h"

namespace topicfs::tier {
namespace {

constexpr long kConnectTimeoutMs = 5000;
// A transfer slower than this many bytes per second for kLowSpeedSeconds
// is a stalled one (no overall timeout: a large part may take a while).
constexpr long kLowSpeedBytes = 1024;
constexpr long kLowSpeedSeconds = 20;
constexpr int64_t kFirstBackoffMs = 100;

// The empty body's SHA-256, for requests without one.
// Files are hashed in pieces of this size, and curl sends an upload in
// pieces of kUploadBufferBytes (its default, 64 KiB, costs a syscall each).
constexpr int64_t kFileChunkBytes = 1 << 20;
constexpr long kUploadBufferBytes = 512 << 10;
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct CurlInit {
  CurlInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct Into {
  char* buf;
  size_t len;
  size_t got = 0;
  std::string* error_body;  // a non-2xx answer's document goes here instead
  long* status;
};

size_t WriteInto(char* data, size_t size, size_t n, void* user) {
  auto* into = static_cast<Into*>(user);
  const size_t bytes = size * n;
  if (*into->status / 100 != 2) {
    into->error_body->append(data, bytes);
    return bytes;
  }
  const size_t room = into->len - into->got;
  const size_t take = std::min(room, bytes);
  std::memcpy(into->buf + into->got, data, take);
  into->got += take;
  return bytes;  // a server sending more than asked is ignored, not an error
}

// A body streamed from a file: curl asks for the next piece as it sends.
struct FileBody {
  int fd;
  int64_t offset;
  int64_t len;
  int64_t sent;
  store::Status error;  // a failed read aborts the request with it
};

size_t ReadFileBody(char* buf, size_t size, size_t n, void* user) {
  auto* body = static_cast<FileBody*>(user);
  const size_t want = static_cast<size_t>(
      std::min<int64_t>(static_cast<int64_t>(size * n), body->len - body->sent));
  if (want == 0) return 0;
  store::Status read =
      store::ReadFully(body->fd, buf, want, body->offset + body->sent, "upload body");
  if (!read.ok()) {
    body->error = read;
    return CURL_READFUNC_ABORT;
  }
  body->sent += static_cast<int64_t>(want);
  return want;
}

struct HeaderSink {
  std::string etag;
  long* status;
  CURL* handle;
};

size_t ReadHeader(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<HeaderSink*>(user);
  std::string_view line(data, size * n);
  // The status is known from the first header line on (the body callbacks need it).
  curl_easy_getinfo(sink->handle, CURLINFO_RESPONSE_CODE, sink->status);
  constexpr std::string_view kEtag = "etag:";
  if (line.size() > kEtag.size() && strncasecmp(line.data(), kEtag.data(), kEtag.size()) == 0) {
    sink->etag = Trim(line.substr(kEtag.size()));
  }
  return size * n;
}

bool Retryable(long status) { return status == 429 || status >= 500; }

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string Hex(const unsigned char* digest, unsigned int len) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

store::Result<std::string> Sha256HexOfFile(int fd, int64_t offset, int64_t len) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return store::Status::IOError("SHA-256: cannot start");
  }
  std::string buf(static_cast<size_t>(std::min<int64_t>(len, kFileChunkBytes)), '\0');
  for (int64_t done = 0; done < len;) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(buf.size(), len - done));
    TOPICFS_RETURN_IF_ERROR(store::ReadFully(fd, buf.data(), want, offset + done, "upload body"));
    EVP_DigestUpdate(ctx.get(), buf.data(), want);
    done += static_cast<int64_t>(want);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &n);
  return Hex(digest, n);
}

store::Result<S3Credentials> S3Credentials::FromFileText(std::string_view text,
                                                         std::string_view profile) {
  S3Credentials c;
  bool in_profile = false;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      in_profile = t == "[" + std::string(profile) + "]";
      continue;
    }
    const size_t eq = t.find('=');
    if (!in_profile || eq == std::string::npos) continue;
    const std::string name = Trim(std::string_view(t).substr(0, eq));
    const std::string value = Trim(std::string_view(t).substr(eq + 1));
    if (name == "aws_access_key_id") c.access_key = value;
    if (name == "aws_secret_access_key") c.secret_key = value;
    if (name == "aws_session_token") c.session_token = value;
  }
  if (c.access_key.empty() || c.secret_key.empty()) {
    return store::Status::InvalidArgument("no aws_access_key_id and aws_secret_access_key in [" +
                                          std::string(profile) + "]");
  }
  return c;
}

store::Result<S3Credentials> S3Credentials::FromEnvironment() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v == nullptr ? "" : v);
  };
  S3Credentials c{env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")};
  if (!c.access_key.empty() && !c.secret_key.empty()) return c;
  std::string file = env("AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty() && !env("HOME").empty()) file = env("HOME") + "/.aws/credentials";
  std::string profile = env("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::ifstream in(file);
  if (!in) {
    return store::Status::InvalidArgument(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or write them to " +
        (file.empty() ? std::string("~/.aws/credentials") : file));
  }
  std::stringstream text;
  text << in.rdbuf();
  store::Result<S3Credentials> parsed = FromFileText(text.str(), profile);
  if (!parsed.ok()) return store::Status::InvalidArgument(file + ": " + parsed.status().message());
  return parsed;
}

S3Client::S3Client(std::string endpoint, std::string region, S3Credentials credentials)
    : endpoint_(std::move(endpoint)),
      sigv4_("aws:amz:" + region + ":s3"),
      userpwd_(credentials.access_key + ":" + credentials.secret_key),
      session_token_(std::move(credentials.session_token)) {
  static CurlInit init;
}

S3Client::~S3Client() {
  for (CURL* h : idle_) curl_easy_cleanup(h);
}

CURL* S3Client::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      CURL* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void S3Client::Release(CURL* handle) {
  std::lock_guard lock(mu_);
  idle_.push_back(handle);
}

store::Result<S3Response> S3Client::Perform(const S3Request& request) {
  static thread_local std::minstd_rand random(std::random_device{}());
  int64_t backoff = kFirstBackoffMs;
  store::Result<S3Response> last = store::Status::Unavailable("no attempt");
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    CURL* handle = Acquire();
    if (handle == nullptr) return store::Status::IOError("curl_easy_init failed");
    last = PerformOnce(handle, request);
    Release(handle);
    if (last.ok() && !Retryable(last->status)) return last;
    if (attempt == kAttempts) break;
    // Full jitter: a sleep anywhere in [backoff/2, backoff].
    const int64_t sleep = backoff / 2 + static_cast<int64_t>(random() % (backoff / 2 + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep));
    backoff *= 2;
  }
  if (last.ok()) return last;  // a 5xx after every attempt: StatusOf says Unavailable
  return store::Status::Unavailable(last.status().message());
}

store::Result<S3Response> S3Client::PerformOnce(CURL* h, const S3Request& request) {
  curl_easy_reset(h);  // keeps the connection, forgets the last request's options
  S3Response response;
  const std::string url =
      endpoint_ + request.path + (request.query.empty() ? "" : "?" + request.query);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4_.c_str());
  curl_easy_setopt(h, CURLOPT_USERPWD, userpwd_.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytes);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, kLowSpeedSeconds);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);

  FileBody file_body{request.file_fd, request.file_offset, request.file_len, 0, {}};
  struct curl_slist* headers = nullptr;
  const std::string sha = request.file_fd >= 0   ? request.file_sha256
                          : request.body.empty() ? std::string(kEmptySha256)
                                                 : Sha256Hex(request.body);
  headers = curl_slist_append(headers, ("x-amz-content-sha256: " + sha).c_str());
  if (!session_token_.empty()) {
    headers = curl_slist_append(headers, ("x-amz-security-token: " + session_token_).c_str());
  }
  for (const std::string& header : request.headers)
    headers = curl_slist_append(headers, header.c_str());
  // No "Expect:" to turn off 100-continue: curl 7.88 would sign it as an
  // empty header that it then does not send, which S3 refuses.

  if (request.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.file_fd >= 0) {
      // Streamed from the file: curl signs the x-amz-content-sha256 given.
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.file_len));
      curl_easy_setopt(h, CURLOPT_READFUNCTION, ReadFileBody);
      curl_easy_setopt(h, CURLOPT_READDATA, &file_body);
      curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBufferBytes);
      headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    } else if (request.method == "PUT" || request.method == "POST") {
      // As POSTFIELDS so that curl 7.88 hashes this body into the signature.
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    }
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

  HeaderSink sink{"", &response.status, h};
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  Into into{request.into, request.into_len, 0, &response.body, &response.status};
  if (request.into != nullptr) {
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteInto);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &into);
  } else {
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  }
  const CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (!file_body.error.ok()) return file_body.error;  // the file, not the network
  if (rc != CURLE_OK) {
    return store::Status::Unavailable(std::string(request.method) + " " + url + ": " +
                                      curl_easy_strerror(rc));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  response.into_got = into.got;
  response.etag = std::move(sink.etag);
  return response;
}

store::Status StatusOf(const S3Response& response, std::string_view what) {
  if (response.status / 100 == 2) return store::Status::OK();
  std::string detail = "HTTP " + std::to_string(response.status);
  if (!response.body.empty()) {
    store::Result<std::string> code = FindXmlText(response.body, "Code");
    store::Result<std::string> message = FindXmlText(response.body, "Message");
    if (code.ok() && !code->empty()) detail += " " + *code;
    if (message.ok() && !message->empty()) detail += ": " + *message;
  }
  const std::string text = std::string(what) + ": " + detail;
  if (response.status == 404) return store::Status::NotFound(text);
  if (response.status == 401 || response.status == 403) return store::Status::Permission(text);
  if (Retryable(response.status)) return store::Status::Unavailable(text);
  return store::Status::IOError(text);
}

}  // namespace topicfs::tier
