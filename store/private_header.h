// Included by the headers private to store/ (RocksDB's catalog, on-disk
// codecs, the trash of deleted topics): a front-end that includes one does
// not compile, so none can reach past the store's public face (issue 18).
// store/ itself and its white-box tests define TOPICFS_STORE_INTERNAL
// (store/CMakeLists.txt: the topicfs_store_internals target).
#ifndef TOPICFS_STORE_INTERNAL
#error "a header private to store/ was included from outside it: use store/store.h"
#endif
