#include "cli/units_option.h"

#include <functional>

#include "store/units.h"

namespace topicfs::cli {
namespace {

using Parser = std::function<std::optional<int64_t>(std::string_view)>;

CLI::Option* AddParsedOption(CLI::App* app, const std::string& name, std::optional<int64_t>* out,
                             const std::string& help, const std::string& type_name, Parser parse) {
  CLI::Option* opt = app->add_option_function<std::string>(
      name,
      [out, parse, name, type_name](const std::string& text) {
        std::optional<int64_t> value = parse(text);
        if (!value) {
          throw CLI::ValidationError(name, "'" + text + "' is not a " + type_name);
        }
        *out = *value;
      },
      help);
  opt->type_name(type_name);
  return opt;
}

// Picks the largest unit of `units` (descending) that divides `value`.
std::string Humanize(int64_t value, std::initializer_list<std::pair<int64_t, const char*>> units,
                     const char* base_suffix) {
  if (value <= 0) return std::to_string(value) + base_suffix;
  for (const auto& [factor, suffix] : units) {
    if (value % factor == 0) return std::to_string(value / factor) + suffix;
  }
  return std::to_string(value) + base_suffix;
}

}  // namespace

CLI::Option* AddSizeOption(CLI::App* app, const std::string& name, std::optional<int64_t>* out,
                           const std::string& help) {
  return AddParsedOption(app, name, out, help, "SIZE", store::ParseSize);
}

CLI::Option* AddDurationOption(CLI::App* app, const std::string& name, std::optional<int64_t>* out,
                               const std::string& help) {
  return AddParsedOption(app, name, out, help, "DURATION", store::ParseDurationMs);
}

CLI::Option* AddTimeOption(CLI::App* app, const std::string& name, std::optional<int64_t>* out,
                           const std::string& help) {
  return AddParsedOption(app, name, out, help, "TIME", store::ParseTimeMs);
}

CLI::Validator NonNegative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (store::ParseDecimal(text)) return "";
        return "'" + text + "' is not a whole number >= 0";
      },
      "N>=0");
}

std::string HumanSize(int64_t bytes) {
  constexpr int64_t kK = 1024;
  return Humanize(bytes, {{kK * kK * kK * kK, "T"}, {kK * kK * kK, "G"}, {kK * kK, "M"}, {kK, "K"}},
                  "");
}

std::string HumanDuration(int64_t ms) {
  constexpr int64_t kS = 1000;
  return Humanize(ms, {{24 * 3600 * kS, "d"}, {3600 * kS, "h"}, {60 * kS, "m"}, {kS, "s"}}, "ms");
}

}  // namespace topicfs::cli
