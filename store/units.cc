#include "store/units.h"

#include <charconv>
#include <ctime>
#include <limits>

namespace topicfs::store {
namespace {

// Multiplies without overflow; nullopt when the product does not fit.
std::optional<int64_t> Scale(int64_t value, int64_t factor) {
  int64_t out;
  if (__builtin_mul_overflow(value, factor, &out)) return std::nullopt;
  return out;
}

// Splits "123abc" into 123 and "abc".
std::optional<std::pair<int64_t, std::string_view>> SplitNumber(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data() || value < 0) return std::nullopt;
  return std::make_pair(value, text.substr(ptr - text.data()));
}

bool DigitsOnly(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Days from 1970-01-01 to a proleptic Gregorian date, for any year (before
// 1970 too, which timegm reports as -1 like an error). H. Hinnant's
// days_from_civil.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int> FixedDigits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size() || !DigitsOnly(s.substr(pos, n))) return std::nullopt;
  int v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + (s[pos + i] - '0');
  return v;
}

}  // namespace

std::optional<int64_t> ParseDecimal(std::string_view text) {
  if (!DigitsOnly(text)) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseSignedDecimal(std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    auto v = ParseDecimal(text.substr(1));
    if (!v) return std::nullopt;
    return -*v;
  }
  return ParseDecimal(text);
}

std::optional<int64_t> ParseSize(std::string_view text) {
  if (text == "-1") return -1;
  auto split = SplitNumber(text);
  if (!split || (!text.empty() && text[0] == '+')) return std::nullopt;
  auto [value, unit] = *split;
  if (unit.ends_with("iB"))
    unit.remove_suffix(2);
  else if (unit.size() == 2 && unit.back() == 'B')
    unit.remove_suffix(1);
  else if (unit == "B")
    unit = "";
  if (unit.empty()) return value;
  if (unit.size() != 1) return std::nullopt;
  switch (unit[0]) {
    case 'k':
    case 'K':
      return Scale(value, int64_t{1} << 10);
    case 'm':
    case 'M':
      return Scale(value, int64_t{1} << 20);
    case 'g':
    case 'G':
      return Scale(value, int64_t{1} << 30);
    case 't':
    case 'T':
      return Scale(value, int64_t{1} << 40);
  }
  return std::nullopt;
}

std::optional<int64_t> ParseDurationMs(std::string_view text) {
  if (text == "-1") return -1;
  auto split = SplitNumber(text);
  if (!split || (!text.empty() && text[0] == '+')) return std::nullopt;
  auto [value, unit] = *split;
  if (unit.empty() || unit == "ms") return value;
  if (unit == "s") return Scale(value, 1000);
  if (unit == "m" || unit == "min") return Scale(value, 60'000);
  if (unit == "h") return Scale(value, 3'600'000);
  if (unit == "d") return Scale(value, 86'400'000);
  if (unit == "w") return Scale(value, 7 * 86'400'000LL);
  return std::nullopt;
}

std::optional<int64_t> ParseTimeMs(std::string_view text) {
  // Epoch milliseconds; a time before 1970 is negative, and is a time (one
  // before every record: "from the start").
  if (DigitsOnly(text) || (text.size() > 1 && text[0] == '-' && DigitsOnly(text.substr(1)))) {
    return ParseSignedDecimal(text);
  }
  // YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+hh:mm|-hh:mm]
  auto year = FixedDigits(text, 0, 4), month = FixedDigits(text, 5, 2),
       day = FixedDigits(text, 8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1) return std::nullopt;
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  if (*day > kDaysInMonth[*month - 1] + (*month == 2 && leap ? 1 : 0)) return std::nullopt;
  int hour = 0, minute = 0, second = 0, millis = 0;
  size_t pos = 10;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    auto h = FixedDigits(text, pos + 1, 2), m = FixedDigits(text, pos + 4, 2);
    if (!h || !m || pos + 3 >= text.size() || text[pos + 3] != ':') return std::nullopt;
    hour = *h;
    minute = *m;
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      auto s = FixedDigits(text, pos + 1, 2);
      if (!s) return std::nullopt;
      second = *s;
      pos += 3;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        size_t start = ++pos;
        int scale = 100;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          millis += (text[pos] - '0') * scale;
          scale /= 10;
          ++pos;
        }
        if (pos == start) return std::nullopt;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z" || zone.empty()) {
  } else if ((zone[0] == '+' || zone[0] == '-') && zone.size() == 6 && zone[3] == ':') {
    auto zh = FixedDigits(zone, 1, 2), zm = FixedDigits(zone, 4, 2);
    if (!zh || !zm || *zh > 23 || *zm > 59) return std::nullopt;
    offset_minutes = (*zh * 60 + *zm) * (zone[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  const int64_t seconds =
      DaysFromCivil(*year, *month, *day) * 86400 + hour * 3600 + minute * 60 + second;
  return (seconds - offset_minutes * 60) * 1000 + millis;
}

std::string FormatTimeMs(int64_t epoch_ms) {
  // Floor, not truncate: 1969-12-31T23:59:59.500Z is -500.
  const int64_t millis = ((epoch_ms % 1000) + 1000) % 1000;
  std::time_t seconds = (epoch_ms - millis) / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  // Four-digit years (strftime's %Y drops the zeros of year 0042).
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

}  // namespace topicfs::store
