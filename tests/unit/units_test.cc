// ParseSize / ParseDurationMs / ParseTimeMs / FormatTimeMs: the human forms
// the CLI and since/<T> accept. Expected epoch values were computed with
// `date -u -d <time> +%s`, not with the code under test.
#include "store/units.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace topicfs::store {
namespace {

constexpr int64_t kKi = 1024;

TEST(ParseDecimalTest, AcceptsPlainDigitsOnly) {
  EXPECT_EQ(ParseDecimal("0"), 0);
  EXPECT_EQ(ParseDecimal("007"), 7);
  EXPECT_EQ(ParseDecimal("9223372036854775807"), std::numeric_limits<int64_t>::max());
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "9223372036854775808"}) {
    EXPECT_FALSE(ParseDecimal(bad).has_value()) << bad;
  }
}

TEST(ParseDecimalTest, SignedAcceptsOneLeadingMinus) {
  EXPECT_EQ(ParseSignedDecimal("-5"), -5);
  EXPECT_EQ(ParseSignedDecimal("5"), 5);
  EXPECT_FALSE(ParseSignedDecimal("-").has_value());
  EXPECT_FALSE(ParseSignedDecimal("--5").has_value());
  EXPECT_FALSE(ParseSignedDecimal("+5").has_value());
}

TEST(ParseSizeTest, SuffixesArePowersOf1024) {
  EXPECT_EQ(ParseSize("512"), 512);
  EXPECT_EQ(ParseSize("4K"), 4 * kKi);
  EXPECT_EQ(ParseSize("4k"), 4 * kKi);
  EXPECT_EQ(ParseSize("512M"), 512 * kKi * kKi);
  EXPECT_EQ(ParseSize("10G"), 10 * kKi * kKi * kKi);
  EXPECT_EQ(ParseSize("1T"), kKi * kKi * kKi * kKi);
  EXPECT_EQ(ParseSize("10GB"), 10 * kKi * kKi * kKi);
  EXPECT_EQ(ParseSize("10GiB"), 10 * kKi * kKi * kKi);
  EXPECT_EQ(ParseSize("100B"), 100);
}

TEST(ParseSizeTest, MinusOneMeansUnlimitedAndOtherNegativesAreRejected) {
  EXPECT_EQ(ParseSize("-1"), -1);
  EXPECT_FALSE(ParseSize("-2").has_value());
  EXPECT_FALSE(ParseSize("-1K").has_value());
}

TEST(ParseSizeTest, GarbageAndOverflowAreRejected) {
  for (const char* bad :
       {"", "K", "+5", "5X", "5KK", "1.5G", " 5", "5 ", "9999999999T", "9223372036854775807K"}) {
    EXPECT_FALSE(ParseSize(bad).has_value()) << bad;
  }
}

TEST(ParseDurationTest, UnitsConvertToMilliseconds) {
  EXPECT_EQ(ParseDurationMs("250ms"), 250);
  EXPECT_EQ(ParseDurationMs("250"), 250);
  EXPECT_EQ(ParseDurationMs("30s"), 30 * 1000);
  EXPECT_EQ(ParseDurationMs("15m"), 15 * 60 * 1000);
  EXPECT_EQ(ParseDurationMs("36h"), 36LL * 3600 * 1000);
  EXPECT_EQ(ParseDurationMs("7d"), 604800000);  // DESIGN §2: the retention.ms default
  EXPECT_EQ(ParseDurationMs("3d"), 3LL * 86400 * 1000);
  EXPECT_EQ(ParseDurationMs("2w"), 14LL * 86400 * 1000);
  EXPECT_EQ(ParseDurationMs("0"), 0);
}

TEST(ParseDurationTest, MinusOneMeansForeverAndGarbageIsRejected) {
  EXPECT_EQ(ParseDurationMs("-1"), -1);
  for (const char* bad :
       {"", "d", "-2", "-1d", "7y", "7 d", "1.5h", "+7d", "9223372036854775807d"}) {
    EXPECT_FALSE(ParseDurationMs(bad).has_value()) << bad;
  }
}

TEST(ParseTimeTest, EpochMillisecondsPassThrough) {
  EXPECT_EQ(ParseTimeMs("1700000000000"), 1700000000000);
  EXPECT_EQ(ParseTimeMs("0"), 0);
}

TEST(ParseTimeTest, IsoUtcForms) {
  const int64_t t = 1795255200LL * 1000;  // date -u -d 2026-11-21T10:00:00Z +%s
  EXPECT_EQ(ParseTimeMs("2026-11-21T10:00:00Z"), t);
  EXPECT_EQ(ParseTimeMs("2026-11-21T10:00:00.123Z"), t + 123);
  EXPECT_EQ(ParseTimeMs("2026-11-21T10:00:00.5Z"), t + 500);
  EXPECT_EQ(ParseTimeMs("2026-11-21T10:00Z"), t);
  EXPECT_EQ(ParseTimeMs("2026-11-21T10:00:00"), t);
  EXPECT_EQ(ParseTimeMs("2026-11-21"), 1795219200LL * 1000);
  EXPECT_EQ(ParseTimeMs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseTimeMs("2024-02-29T12:34:56Z"), 1709210096LL * 1000);  // leap day
}

TEST(ParseTimeTest, OffsetsAreAppliedTowardsUtc) {
  // 10:00+01:00 is 09:00Z.
  EXPECT_EQ(ParseTimeMs("2026-11-21T10:00:00+01:00"), 1795251600LL * 1000);
  EXPECT_EQ(ParseTimeMs("2026-11-21T09:00:00-01:00"), 1795255200LL * 1000);
}

TEST(ParseTimeTest, MalformedTimesAreRejected) {
  for (const char* bad : {"", "-", "--5", "+5", "-5x", "2026/11/21", "2026-13-01", "2026-00-10",
                          "2026-11-32", "2026-11-21T25:00Z", "2026-11-21T10:60Z", "2026-11-21T10",
                          "2026-11-21T10:00:00X", "2026-11-21T10:00:00.Z",
                          "2026-11-21T10:00:00+1:00", "-1969-12-31", "26-11-21", "yesterday"}) {
    EXPECT_FALSE(ParseTimeMs(bad).has_value()) << bad;
  }
}

// A date that does not exist is "not a time" (DESIGN §1.7: since/<T> ENOENT),
// not silently the first days of the next month.
TEST(ParseTimeTest, ImpossibleCalendarDatesAreRejected) {
  for (const char* bad :
       {"2026-02-30", "2026-02-29T00:00:00Z", "2026-04-31", "2026-06-31T10:00Z"}) {
    EXPECT_FALSE(ParseTimeMs(bad).has_value()) << bad;
  }
}

// Issue 17 §5: a time before 1970 is a time (before every record, so
// since/<T> starts at the log start), in both forms.
TEST(ParseTimeTest, TimesBefore1970AreTimes) {
  EXPECT_EQ(ParseTimeMs("-1"), -1);
  EXPECT_EQ(ParseTimeMs("-0"), 0);
  EXPECT_EQ(ParseTimeMs("-86400000"), -86400000);
  EXPECT_EQ(ParseTimeMs("1969-12-31T23:59:59Z"), -1000);
  EXPECT_EQ(ParseTimeMs("1969-12-31T23:59:59.500Z"), -500);
  EXPECT_EQ(ParseTimeMs("1970-01-01T00:59:59+01:00"), -1000);
  EXPECT_EQ(ParseTimeMs("1900-01-01T00:00:00Z"), -2208988800LL * 1000);
  EXPECT_EQ(ParseTimeMs("1600-03-01"), -11670912000LL * 1000);  // across a 400-year era
  EXPECT_EQ(ParseTimeMs("0000-01-01"), -62167219200LL * 1000);
  EXPECT_EQ(ParseTimeMs("1900-02-29"), std::nullopt);  // not a leap year
  EXPECT_EQ(ParseTimeMs("2000-02-29"), 951782400LL * 1000);
}

TEST(FormatTimeTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatTimeMs(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(FormatTimeMs(0), "1970-01-01T00:00:00.000Z");
}

TEST(FormatTimeTest, ParseRoundTripsFormat) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1700000000123},
                     int64_t{1795255200000}, int64_t{4102444799999}, int64_t{-1}, int64_t{-500},
                     int64_t{-1000}, int64_t{-2208988800000}, int64_t{-62167219200000}}) {
    auto back = ParseTimeMs(FormatTimeMs(ms));
    ASSERT_TRUE(back.has_value()) << FormatTimeMs(ms);
    EXPECT_EQ(*back, ms);
  }
}

}  // namespace
}  // namespace topicfs::store
