#include "kafka/crc32c.h"

#include <isa-l/crc.h>

namespace topicfs::kafka {

uint32_t Crc32c(std::string_view bytes) {
  // ISA-L's iSCSI CRC is CRC-32C without the final inversion.
  return ~crc32_iscsi(reinterpret_cast<unsigned char*>(const_cast<char*>(bytes.data())),
                      static_cast<int>(bytes.size()), 0xFFFFFFFFu);
}

}  // namespace topicfs::kafka
