#include "fusefs/replies.h"

#include "fusefs/op_stats.h"

namespace topicfs::fusefs {

void ReplyStatus(fuse_req_t req, const store::Status& s) { ReplyError(req, store::ToErrno(s)); }

void ReplyError(fuse_req_t req, int err) {
  CountRefusal(static_cast<SessionUserdata*>(fuse_req_userdata(req))->filesystem->request_stats(),
               err);
  fuse_reply_err(req, err);
}

void ReplyRead(fuse_req_t req, const ReadReply& data) {
  if (data.fd < 0) return (void)fuse_reply_buf(req, data.bytes.data(), data.bytes.size());
  if (data.len == 0) return (void)fuse_reply_buf(req, nullptr, 0);
  fuse_bufvec buf = FUSE_BUFVEC_INIT(data.len);
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = data.fd;
  buf.buf[0].pos = data.pos;
  fuse_reply_data(req, &buf, static_cast<fuse_buf_copy_flags>(0));
}

}  // namespace topicfs::fusefs
