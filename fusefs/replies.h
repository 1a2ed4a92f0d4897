// Replies shared by the operation table and the requests answered later
// (follow_waits.h): a Status as its errno, and a read's bytes.
#pragma once

#include "fusefs/fuse_api.h"
#include "fusefs/topic_fs.h"
#include "store/status.h"

namespace topicfs::fusefs {

void ReplyStatus(fuse_req_t req, const store::Status& s);
// fuse_reply_err, with the refusal counted (op_stats.h); 0 is a success.
void ReplyError(fuse_req_t req, int err);
// Sends a read's bytes: spliced from the descriptor where there is one.
void ReplyRead(fuse_req_t req, const ReadReply& data);

}  // namespace topicfs::fusefs
