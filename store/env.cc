#include "store/env.h"

#include <cstdio>

namespace topicfs::store {

void Env::LogInfo(std::string_view message) {
  std::fprintf(stderr, "topicfs: %.*s\n", static_cast<int>(message.size()), message.data());
}

void Env::LogError(std::string_view message) {
  std::fprintf(stderr, "topicfs: error: %.*s\n", static_cast<int>(message.size()), message.data());
}

Env& Env::Default() {
  static Env env;
  return env;
}

}  // namespace topicfs::store
