#include "store/names.h"

#include <cstdio>

#include "store/units.h"

namespace topicfs::store {

bool IsValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string SegmentFilePrefix(int64_t base_offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(base_offset));
  return buf;
}

std::optional<SegmentFileName> ParseSegmentFileName(std::string_view name) {
  if (name.size() <= kSegmentNameDigits) return std::nullopt;
  std::string_view suffix = name.substr(kSegmentNameDigits);
  SegmentFileKind kind;
  if (suffix == kLogSuffix) kind = SegmentFileKind::kLog;
  else if (suffix == kIndexSuffix) kind = SegmentFileKind::kIndex;
  else if (suffix == kTimeIndexSuffix) kind = SegmentFileKind::kTimeIndex;
  else return std::nullopt;
  std::optional<int64_t> base = ParseDecimal(name.substr(0, kSegmentNameDigits));
  if (!base) return std::nullopt;
  return SegmentFileName{*base, kind};
}

}  // namespace topicfs::store
