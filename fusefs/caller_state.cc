#include "fusefs/caller_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

namespace topicfs::fusefs {
namespace {

// The value after "Name:\t" on its line, if the field is there.
std::optional<std::string_view> Field(std::string_view status, std::string_view name) {
  for (size_t at = 0; at < status.size();) {
    size_t end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(at, end - at);
    at = end + 1;
    if (line.size() > name.size() && line.substr(0, name.size()) == name &&
        line[name.size()] == ':') {
      line.remove_prefix(name.size() + 1);
      while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
      return line;
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> SignalMask(std::string_view status, std::string_view name) {
  std::optional<std::string_view> hex = Field(status, name);
  if (!hex || hex->empty()) return std::nullopt;
  uint64_t mask = 0;
  for (char c : *hex) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    mask = mask << 4 | static_cast<uint64_t>(digit);
  }
  return mask;
}

}  // namespace

bool StatusShowsSignalledWhileBlocked(std::string_view status) {
  std::optional<std::string_view> state = Field(status, "State");
  if (!state || state->empty() || state->front() != 'D') return false;
  std::optional<uint64_t> thread = SignalMask(status, "SigPnd");
  std::optional<uint64_t> process = SignalMask(status, "ShdPnd");
  std::optional<uint64_t> blocked = SignalMask(status, "SigBlk");
  if (!thread || !process || !blocked) return false;
  return ((*thread | *process) & ~*blocked) != 0;
}

bool CallerSignalledWhileBlocked(pid_t tid) {
  const std::string path = "/proc/" + std::to_string(tid) + "/status";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n > 0 && StatusShowsSignalledWhileBlocked(std::string_view(buf, static_cast<size_t>(n)));
}

}  // namespace topicfs::fusefs
