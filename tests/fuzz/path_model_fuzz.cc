// The mount's path model on arbitrary paths and names: whatever parses
// names itself back (path -> key -> path), and every child's parent is the
// key it came from.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fusefs/path_model.h"
#include "tests/fuzz/fuzz_util.h"

using namespace topicfs::fusefs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (std::optional<NodeKey> key = ParsePath(text)) {
    FUZZ_ASSERT(ParsePath(NodePath(*key)) == key);
  }
  // The input as one name under each kind of directory.
  for (const NodeKey& parent :
       {RootKey(), TopicKey("t"), PartitionKey("t", 0),
        *ChildKey(PartitionKey("t", 0), kFromName), *ChildKey(PartitionKey("t", 0), kSinceName)}) {
    if (std::optional<NodeKey> child = ChildKey(parent, text)) {
      FUZZ_ASSERT(ParentKey(*child) == parent);
      FUZZ_ASSERT(ChildKey(parent, NodeName(*child)) == child);
    }
  }
  return 0;
}
