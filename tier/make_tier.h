// The remote tier named by the mount options (DESIGN §9):
//   file:///PATH           a directory (tier/file_tier.h)
//   s3://BUCKET[/PREFIX]   an S3-compatible store (tier/s3_tier.h), at
//                          `endpoint` (default AWS's for `region`)
#pragma once

#include <memory>
#include <string>

#include "store/remote_tier.h"
#include "store/status.h"

namespace topicfs::tier {

struct TierSpec {
  std::string uri;
  std::string endpoint;  // S3 only
  std::string region;    // S3 only; default us-east-1
};

// InvalidArgument for a URI of another scheme or without a bucket or path,
// and for missing S3 credentials.
store::Result<std::shared_ptr<store::RemoteTier>> MakeTier(const TierSpec& spec);

}  // namespace topicfs::tier
