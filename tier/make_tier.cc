#include "tier/make_tier.h"

#include "tier/file_tier.h"
#include "tier/s3_tier.h"

namespace topicfs::tier {

store::Result<std::shared_ptr<store::RemoteTier>> MakeTier(const TierSpec& spec) {
  constexpr std::string_view kFile = "file://";
  constexpr std::string_view kS3 = "s3://";
  std::string_view uri = spec.uri;
  if (uri.starts_with(kFile)) {
    std::string path(uri.substr(kFile.size()));
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty() || path.front() != '/') {
      return store::Status::InvalidArgument("tier " + spec.uri +
                                            ": give an absolute path, file:///PATH");
    }
    return std::shared_ptr<store::RemoteTier>(std::make_shared<FileTier>(path));
  }
  if (uri.starts_with(kS3)) {
    std::string_view rest = uri.substr(kS3.size());
    const size_t slash = rest.find('/');
    S3Location where;
    where.bucket = std::string(rest.substr(0, slash));
    if (slash != std::string_view::npos) where.prefix = std::string(rest.substr(slash + 1));
    while (!where.prefix.empty() && where.prefix.back() == '/') where.prefix.pop_back();
    if (where.bucket.empty()) {
      return store::Status::InvalidArgument("tier " + spec.uri + ": no bucket (s3://BUCKET/PREFIX)");
    }
    where.region = spec.region.empty() ? "us-east-1" : spec.region;
    where.endpoint = spec.endpoint.empty()
                         ? "https://s3." + where.region + ".amazonaws.com"
                         : spec.endpoint;
    while (where.endpoint.ends_with('/')) where.endpoint.pop_back();
    store::Result<S3Credentials> credentials = S3Credentials::FromEnvironment();
    if (!credentials.ok()) return credentials.status();
    return std::shared_ptr<store::RemoteTier>(
        std::make_shared<S3Tier>(std::move(where), std::move(*credentials)));
  }
  return store::Status::InvalidArgument("tier " + spec.uri +
                                        ": use s3://BUCKET/PREFIX or file:///PATH");
}

}  // namespace topicfs::tier
