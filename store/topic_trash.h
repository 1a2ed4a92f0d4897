// Where a deleted topic's files wait to be removed (DESIGN §3 layout:
// DATA/trash/<n>.<topic>). Deleting a topic renames its directory here while
// the store's lock is held, a cheap step, so the name is free at once and a
// topic made again under it can never meet the old files; the slow removal
// runs afterwards without the lock. Open descriptors keep reading the files.
#pragma once

#include <string>
#include <string_view>

#include "store/env.h"
#include "store/metadata.h"
#include "store/private_header.h"
#include "store/status.h"

namespace topicfs::store {

// Renames DATA/topics/<topic> to a new, unique entry of DATA/trash and makes
// the rename durable; returns the new path.
Result<std::string> MoveTopicToTrash(Env& env, const std::string& data_dir, std::string_view topic);
// Undoes MoveTopicToTrash when the deletion could not be committed.
Status RestoreTopicFromTrash(Env& env, const std::string& data_dir, std::string_view topic,
                             const std::string& trash_path);
// Removes a trash entry and everything under it.
Status RemoveTrash(const std::string& trash_path);
// At open, before topics are loaded: finishes deletions a crash interrupted.
// An entry whose topic still has metadata but no directory was moved aside
// and not yet committed: its metadata goes too. Then every entry is removed.
Status FinishInterruptedDeletions(const std::string& data_dir, Metadata& meta);

}  // namespace topicfs::store
