#include "fusefs/killed_by_signal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

namespace topicfs::fusefs {

// From /proc/<pid>/stat: field 9 is the task's flags (PF_EXITING, set as
// do_exit begins) and field 52 its exit code, set before the files are
// closed (the signal in the low 7 bits; an exit() leaves them 0). The
// closing task waits for the flush reply, so it is still there to be read.
std::optional<int> KilledBySignal(pid_t pid) {
  constexpr unsigned long kPfExiting = 0x4;
  if (pid <= 0) return std::nullopt;
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[4096];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  buf[n] = '\0';
  const char* fields = std::strrchr(buf, ')');  // the name may hold spaces
  if (fields == nullptr) return std::nullopt;
  unsigned long flags = 0;
  long exit_code = 0;
  std::istringstream in(fields + 1);
  std::string field;
  for (int i = 3; i <= 52 && in >> field; ++i) {
    if (i == 9) flags = std::strtoul(field.c_str(), nullptr, 10);
    if (i == 52) exit_code = std::strtol(field.c_str(), nullptr, 10);
  }
  if (!(flags & kPfExiting) || (exit_code & 0x7f) == 0) return std::nullopt;
  return static_cast<int>(exit_code & 0x7f);
}

}  // namespace topicfs::fusefs
