// Store::RebuildRemoteCatalog: the remote tier's catalog, rebuilt from the
// manifests in the bucket when meta/ was lost (`topicfs recover --tier`, or
// a mount whose meta/ is gone). Each manifest names its topic, partition
// and segment, so the bucket describes itself (docs/FORMAT.md).
#include <map>

#include "store/data_dir.h"
#include "store/metadata.h"
#include "store/names.h"
#include "store/store.h"

namespace topicfs::store {

Status Store::RebuildRemoteCatalog(RemoteTier& tier) {
  Result<std::vector<RemoteObject>> objects = tier.List("");
  if (!objects.ok()) return objects.status();
  // topic -> tier id -> its manifests.
  std::map<std::string, std::map<std::string, std::vector<RemoteSegment::Manifest>>> found;
  for (const RemoteObject& o : *objects) {
    if (!o.key.ends_with(kManifestSuffix)) continue;
    Result<std::string> text = tier.GetAll(o.key);
    if (!text.ok()) return text.status();
    Result<RemoteSegment::Manifest> m = RemoteSegment::DecodeManifest(*text);
    if (!m.ok()) return Status::Corruption(o.key + ": " + m.status().message());
    const std::string& object = m->segment.object;
    const size_t dash = object.rfind('-', object.find('/'));
    if (dash == std::string::npos) return Status::Corruption(o.key + ": bad object name");
    const std::string id = object.substr(dash + 1, object.find('/') - dash - 1);
    found[m->topic][id].push_back(std::move(*m));
  }
  Metadata::Batch batch(meta_.get());
  for (auto& [topic, ids] : found) {
    // A topic made again under its name left the old one's objects: the
    // id whose log reaches furthest is the live one, the others go.
    std::string live;
    int64_t furthest = -1;
    for (auto& [id, manifests] : ids) {
      for (auto& m : manifests) {
        if (m.segment.meta.next_offset > furthest) {
          furthest = m.segment.meta.next_offset;
          live = id;
        }
      }
    }
    for (auto& [id, manifests] : ids) {
      for (auto& m : manifests) {
        RemoteSegment record = m.segment;
        if (id != live) {
          record.state = RemoteState::kDeleteStarted;
          batch.PutOrphanRemote(record);
          continue;
        }
        batch.PutRemote(topic, m.partition, record);
        // A partition held only in the tier (its local files are gone too)
        // comes back as a directory the open adopts.
        TOPICFS_RETURN_IF_ERROR(MakeDir(TopicDir(topic)));
        TOPICFS_RETURN_IF_ERROR(MakeDir(TopicDir(topic) + "/" + std::to_string(m.partition)));
      }
    }
    batch.PutTopicTierId(topic, live);
  }
  return CommitIfAny(batch);
}

}  // namespace topicfs::store
