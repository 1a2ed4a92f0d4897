#include "tests/support/store_fixture.h"

namespace topicfs::test {

void StoreTest::Open() {
  if (store_) return;
  store_ = OpenStore(data());
  ASSERT_NE(store_, nullptr);
}

void StoreTest::Reopen() {
  store_.reset();
  Open();
}

std::shared_ptr<store::Partition> StoreTest::Make(const store::TopicConfig& config,
                                                  std::string_view topic) {
  Open();
  if (!store_) return nullptr;
  store::Status s = store_->CreateTopic(topic, 1, config);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store_->FindPartition(topic, 0);
}

}  // namespace topicfs::test
