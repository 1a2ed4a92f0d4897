// Encoding and decoding the messages of one request (broker internals).
#pragma once

#include <string>
#include <string_view>

#include "kafka/broker.h"
#include "kafka/message_io.h"
#include "kafka/wire.h"

namespace topicfs::kafka {

// The response frame for `h` holding `message`. Response headers carry
// tagged fields when the request was flexible, except ApiVersions', which
// is always header v0 so that a client can read it before knowing versions.
template <class Message>
Reply Respond(const RequestHeader& h, const Message& message) {
  Reply reply;
  WireWriter header(&reply.frame);
  header.Int32(h.correlation_id);
  if (h.flexible && h.api_key != kApiVersions) header.UnsignedVarint(0);
  MessageWriter body(&reply.frame, h.api_version, h.flexible);
  body.Struct(message);
  return reply;
}

// Decodes the request body; false when malformed.
template <class Message>
bool Decode(const RequestHeader& h, std::string_view bytes, Message* message) {
  MessageReader body(bytes, h.api_version, h.flexible);
  body.Struct(*message);
  return body.ok();
}

inline Reply Malformed(const RequestHeader& h, std::string_view what) {
  Reply reply;
  reply.kind = Reply::Kind::kClose;
  reply.why =
      "malformed " + std::string(what) + " request (version " + std::to_string(h.api_version) + ")";
  return reply;
}

}  // namespace topicfs::kafka
