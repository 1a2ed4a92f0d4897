// Parsers for the human forms the CLI and the mount accept: sizes ("10G",
// K/M/G/T are powers of 1024), durations ("7d", "36h", "250ms") and points in
// time (epoch milliseconds or ISO-8601 UTC). Pure functions, fuzzed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace topicfs::store {

// Parses a non-negative decimal integer with no sign, spaces or suffix.
std::optional<int64_t> ParseDecimal(std::string_view text);
// Like ParseDecimal, but also accepts a leading '-'.
std::optional<int64_t> ParseSignedDecimal(std::string_view text);
// "512", "4K", "512M", "10G", "1T" (an optional trailing 'B'/"iB" is accepted); "-1" stays -1.
std::optional<int64_t> ParseSize(std::string_view text);
// Milliseconds from "250ms", "30s", "15m", "36h", "7d", "2w" or a bare number
// of milliseconds; "-1" stays -1.
std::optional<int64_t> ParseDurationMs(std::string_view text);
// Epoch milliseconds from "1700000000000" or "2026-11-21T10:00:00Z" (also
// "...T10:00:00.123Z", "...T10:00Z", a bare date "2026-11-21", or a "+hh:mm" offset).
std::optional<int64_t> ParseTimeMs(std::string_view text);
// "2026-11-21T10:00:00.123Z".
std::string FormatTimeMs(int64_t epoch_ms);

}  // namespace topicfs::store
