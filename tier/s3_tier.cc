#include "tier/s3_tier.h"

#include <algorithm>

#include "store/file_io.h"
#include "tier/s3_xml.h"

namespace topicfs::tier {

S3Tier::S3Tier(S3Location where, S3Credentials credentials)
    : where_(std::move(where)),
      client_(std::make_unique<S3Client>(where_.endpoint, where_.region, std::move(credentials))) {}

S3Tier::~S3Tier() = default;

std::string S3Tier::Describe() const {
  return "s3://" + where_.bucket + (where_.prefix.empty() ? "" : "/" + where_.prefix) + " at " +
         where_.endpoint;
}

std::string S3Tier::ObjectPath(const std::string& key) const {
  const std::string full = where_.prefix.empty() ? key : where_.prefix + "/" + key;
  return "/" + UriEncode(where_.bucket, false) + "/" + UriEncode(full, /*keep_slash=*/true);
}

store::Status S3Tier::PutBytes(const std::string& key, std::string_view bytes) {
  S3Request request{.method = "PUT", .path = ObjectPath(key), .body = bytes};
  store::Result<S3Response> response = client_->Perform(request);
  if (!response.ok()) return response.status();
  return StatusOf(*response, "PUT " + key);
}

store::Status S3Tier::PutFile(const std::string& key, int fd, int64_t size) {
  if (size > kMultipartBytes) return PutMultipart(key, fd, size);
  store::Result<S3Request> put = FileRequest(ObjectPath(key), "", fd, 0, size);
  if (!put.ok()) return put.status();
  store::Result<S3Response> done = client_->Perform(*put);
  if (!done.ok()) return done.status();
  return StatusOf(*done, "PUT " + key);
}

store::Result<S3Request> S3Tier::FileRequest(const std::string& path, std::string query, int fd,
                                             int64_t offset, int64_t len) {
  // Streamed from the page cache, hashed first: a 32 MiB segment read into
  // a buffer of its own cost more than sending it (page faults, a copy).
  store::Result<std::string> sha = Sha256HexOfFile(fd, offset, len);
  if (!sha.ok()) return sha.status();
  return S3Request{.method = "PUT",
                   .path = path,
                   .query = std::move(query),
                   .file_fd = fd,
                   .file_offset = offset,
                   .file_len = len,
                   .file_sha256 = std::move(*sha)};
}

store::Status S3Tier::PutMultipart(const std::string& key, int fd, int64_t size) {
  const std::string path = ObjectPath(key);
  store::Result<S3Response> started =
      client_->Perform({.method = "POST", .path = path, .query = "uploads="});
  if (!started.ok()) return started.status();
  TOPICFS_RETURN_IF_ERROR(StatusOf(*started, "start upload of " + key));
  store::Result<std::string> upload_id = FindXmlText(started->body, "UploadId");
  if (!upload_id.ok()) return upload_id.status();
  if (upload_id->empty()) return store::Status::IOError("start upload of " + key + ": no UploadId");
  const std::string id = UriEncode(*upload_id, false);
  auto abort = [&](store::Status why) {
    // Parts of an abandoned upload are billed until aborted.
    (void)client_->Perform({.method = "DELETE", .path = path, .query = "uploadId=" + id});
    return why;
  };
  std::string complete = "<CompleteMultipartUpload>";
  int number = 1;
  for (int64_t pos = 0; pos < size; pos += kMultipartBytes, ++number) {
    const int64_t len = std::min<int64_t>(kMultipartBytes, size - pos);
    store::Result<S3Request> put =
        FileRequest(path, "partNumber=" + std::to_string(number) + "&uploadId=" + id, fd, pos, len);
    if (!put.ok()) return abort(put.status());
    store::Result<S3Response> done = client_->Perform(*put);
    if (!done.ok()) return abort(done.status());
    store::Status s = StatusOf(*done, "upload part " + std::to_string(number) + " of " + key);
    if (!s.ok()) return abort(s);
    complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + done->etag +
                "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";
  store::Result<S3Response> finished = client_->Perform(
      {.method = "POST", .path = path, .query = "uploadId=" + id, .body = complete});
  if (!finished.ok()) return abort(finished.status());
  store::Status s = StatusOf(*finished, "complete upload of " + key);
  // S3 may answer 200 with an error document when completing fails late.
  if (s.ok() && finished->body.find("<Error>") != std::string::npos) {
    s = store::Status::Unavailable("complete upload of " + key + ": " + finished->body);
  }
  return s.ok() ? s : abort(s);
}

store::Result<size_t> S3Tier::GetRange(const std::string& key, int64_t pos, char* buf, size_t len) {
  if (len == 0) return size_t{0};
  S3Request request{.method = "GET",
                    .path = ObjectPath(key),
                    .headers = {"Range: bytes=" + std::to_string(pos) + "-" +
                                std::to_string(pos + static_cast<int64_t>(len) - 1)},
                    .into = buf,
                    .into_len = len};
  store::Result<S3Response> response = client_->Perform(request);
  if (!response.ok()) return response.status();
  if (response->status == 416) return size_t{0};  // at or past the end
  TOPICFS_RETURN_IF_ERROR(StatusOf(*response, "GET " + key));
  // A server that ignores Range answers 200 with the object from its start.
  if (response->status != 206 && pos != 0) {
    return store::Status::IOError("GET " + key + ": the server ignored the Range header");
  }
  return response->into_got;
}

store::Result<std::string> S3Tier::GetAll(const std::string& key) {
  store::Result<S3Response> response = client_->Perform({.method = "GET", .path = ObjectPath(key)});
  if (!response.ok()) return response.status();
  TOPICFS_RETURN_IF_ERROR(StatusOf(*response, "GET " + key));
  return std::move(response->body);
}

store::Status S3Tier::Delete(const std::string& key) {
  store::Result<S3Response> response =
      client_->Perform({.method = "DELETE", .path = ObjectPath(key)});
  if (!response.ok()) return response.status();
  if (response->status == 404) return store::Status::OK();
  return StatusOf(*response, "DELETE " + key);
}

store::Result<std::vector<store::RemoteObject>> S3Tier::List(const std::string& prefix) {
  const std::string base = where_.prefix.empty() ? "" : where_.prefix + "/";
  std::vector<store::RemoteObject> out;
  std::string token;
  for (;;) {
    // Names in AWS's canonical order, each with '=' (curl 7.88 signs the query as given).
    std::string query;
    if (!token.empty()) query += "continuation-token=" + UriEncode(token, false) + "&";
    query += "list-type=2&prefix=" + UriEncode(base + prefix, false);
    store::Result<S3Response> response = client_->Perform(
        {.method = "GET", .path = "/" + UriEncode(where_.bucket, false), .query = query});
    if (!response.ok()) return response.status();
    TOPICFS_RETURN_IF_ERROR(StatusOf(*response, "list " + prefix));
    store::Result<S3ListPage> page = ParseListObjects(response->body);
    if (!page.ok()) return page.status();
    for (store::RemoteObject& o : page->objects) {
      if (o.key.starts_with(base)) o.key.erase(0, base.size());
      out.push_back(std::move(o));
    }
    if (!page->truncated || page->next_token.empty()) break;
    token = page->next_token;
  }
  return out;
}

}  // namespace topicfs::tier
