// The XML answers of S3 that topicfs reads, parsed with expat:
// ListObjectsV2, InitiateMultipartUpload, and the error document.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/remote_tier.h"
#include "store/status.h"

namespace topicfs::tier {

struct S3ListPage {
  std::vector<store::RemoteObject> objects;
  bool truncated = false;
  std::string next_token;
};
store::Result<S3ListPage> ParseListObjects(std::string_view xml);

// The text of the first element named `name` anywhere in `xml` ("" when
// none): UploadId, Code, Message.
store::Result<std::string> FindXmlText(std::string_view xml, std::string_view name);

}  // namespace topicfs::tier
