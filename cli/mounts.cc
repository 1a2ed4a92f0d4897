#include "cli/mounts.h"

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace topicfs::cli {
namespace {

std::string Unescape(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '7' &&
        field[i + 2] >= '0' && field[i + 2] <= '7' && field[i + 3] >= '0' && field[i + 3] <= '7') {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

}  // namespace

std::vector<MountEntry> ParseMounts(const std::string& text) {
  std::vector<MountEntry> mounts;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    MountEntry e;
    if (!(fields >> e.source >> e.mount_point >> e.type)) continue;
    e.source = Unescape(e.source);
    e.mount_point = Unescape(e.mount_point);
    mounts.push_back(std::move(e));
  }
  return mounts;
}

std::vector<MountEntry> ReadMounts() {
  std::ifstream in("/proc/mounts");
  std::stringstream text;
  text << in.rdbuf();
  return ParseMounts(text.str());
}

bool IsTopicfsType(const std::string& type) { return type == "fuse.topicfs" || type == "fuse"; }

std::optional<MountEntry> FindMountOfData(const std::string& data_dir) {
  std::optional<std::string> real = RealPath(data_dir);
  if (!real) return std::nullopt;
  for (const MountEntry& e : ReadMounts()) {
    if (IsTopicfsType(e.type) && (e.source == *real || e.source == "topicfs:" + *real)) return e;
  }
  return std::nullopt;
}

std::optional<MountEntry> FindMountAt(const std::string& dir) {
  std::optional<std::string> real = RealPath(dir);
  if (!real) return std::nullopt;
  std::optional<MountEntry> found;
  // The last entry for a mount point is the one on top.
  for (const MountEntry& e : ReadMounts()) {
    if (e.mount_point == *real) found = IsTopicfsType(e.type) ? std::optional(e) : std::nullopt;
  }
  return found;
}

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

}  // namespace topicfs::cli
