// A GoogleTest fixture for tests of the store and of what sits on it: a
// store opened in a fresh temporary directory before each test, reopened as
// a restart would, and a one-partition topic made in one call.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "store/partition.h"
#include "store/store.h"
#include "store/topic_config.h"
#include "tests/support/test_util.h"

namespace topicfs::test {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  // The store's data directory, under dir_.
  std::string data() const { return dir_.Sub("data"); }
  // Opens the store at data() unless it is open; a fatal failure when it
  // cannot (wrap in ASSERT_NO_FATAL_FAILURE before using store_).
  void Open();
  // Closes the store cleanly and opens it again.
  void Reopen();
  // Opens the store if needed and creates `topic` with one partition and
  // `config`: its partition 0, or null (the test failed) on error.
  std::shared_ptr<store::Partition> Make(const store::TopicConfig& config,
                                         std::string_view topic = "t");

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace topicfs::test
