// The daemon's log: stderr in the foreground, a file with --log FILE, or
// syslog once daemonized. libfuse's own messages are routed here too.
#pragma once

#include <string>

namespace topicfs::fusefs {

enum class LogSink { kStderr, kFile, kSyslog };

// Call once before the daemon starts; `path` is used with kFile.
bool InitLog(LogSink sink, const std::string& path, std::string* error);
void LogInfo(const std::string& message);
void LogError(const std::string& message);

}  // namespace topicfs::fusefs
