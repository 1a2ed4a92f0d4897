// The one place the CLI reads sizes, durations and times from its options.
// The parsing itself is store/units.h, shared with the mount; this file only
// binds it to CLI11 options and formats numbers back for people.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace topicfs::cli {

// "10G", "512M", "4K", "-1" (no limit).
CLI::Option* AddSizeOption(CLI::App* app, const std::string& name, std::optional<int64_t>* out,
                           const std::string& help);
// "7d", "36h", "250ms", a bare number of milliseconds, "-1" (forever).
CLI::Option* AddDurationOption(CLI::App* app, const std::string& name, std::optional<int64_t>* out,
                               const std::string& help);
// Epoch milliseconds or ISO-8601 UTC ("2026-11-21T10:00:00Z").
CLI::Option* AddTimeOption(CLI::App* app, const std::string& name, std::optional<int64_t>* out,
                           const std::string& help);

// Accepts a decimal integer >= 0 (offsets, counts).
CLI::Validator NonNegative();

// The largest unit that divides `bytes` exactly: "10G", "4K", "1000".
std::string HumanSize(int64_t bytes);
// The largest unit that divides `ms` exactly: "7d", "36h", "250ms".
std::string HumanDuration(int64_t ms);

}  // namespace topicfs::cli
