#include "fusefs/libfuse_log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "fusefs/fuse_api.h"

namespace topicfs::fusefs {
namespace {

std::atomic<store::Env*> g_env{nullptr};

void ToEnv(enum fuse_log_level level, const char* fmt, va_list ap) {
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  size_t n = std::strlen(buf);
  while (n > 0 && buf[n - 1] == '\n') buf[--n] = '\0';
  store::Env* env = g_env.load();
  if (env == nullptr) {
    std::fprintf(stderr, "%s\n", buf);
  } else if (level <= FUSE_LOG_ERR) {
    env->LogError(buf);
  } else {
    env->LogInfo(buf);
  }
}

}  // namespace

LibfuseLogTo::LibfuseLogTo(store::Env& env) {
  g_env.store(&env);
  fuse_set_log_func(ToEnv);
}

LibfuseLogTo::~LibfuseLogTo() {
  fuse_set_log_func(nullptr);
  g_env.store(nullptr);
}

}  // namespace topicfs::fusefs
