// Memory the addon allocates for the fit loop's own arrays (allocateFloat32 / allocateUint32:
// X, Y, order and weights, which lib/fit-data.ts and lib/train.ts never hand to a user) and for a
// network's parameters and optimizer state (lib/model-state.ts; a user gets only copies of them),
// so that trainEpochsAsync can keep it alive by taking a reference instead of copying it (issue 15
// item 14, issue 13's memory and fit-speed goals) and train params and state in place. Each block
// is refcounted: JS holds one reference through its external ArrayBuffer (dropped by the buffer's
// finalizer, which follows the memory even when a transfer moves it to a clone) and every async
// call that uses it holds another, so the memory stays valid until the last of them lets go,
// whatever JS detaches or collects meanwhile (Node 20 copies an external buffer named in a
// transfer instead of detaching it; a runtime that detached one would leave the memory with the
// buffer that took it over).
// The registry maps a block's address range to the block, for trainEpochsAsync to recognise an
// argument that lives in one; anything it does not find there is copied as before
// (async_copies.hpp).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace fastmlp::addon {

// bytes of zero-filled memory, freed when the last reference goes: calloc, or for blocks of 2 MiB
// and more on Linux an anonymous mapping advised to use huge pages (shared_blocks.cpp).
class SharedBlock {
 public:
  explicit SharedBlock(std::size_t bytes);
  ~SharedBlock();
  SharedBlock(const SharedBlock&) = delete;
  SharedBlock& operator=(const SharedBlock&) = delete;
  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void* data_;
  std::size_t bytes_;
  void* map_base_ = nullptr;  // the mapping data_ lies in (Linux, large blocks), else null: calloc'd
  std::size_t map_bytes_ = 0;
};

// The blocks JS still holds, by start address. Touched on the main thread (allocation, lookup,
// finalizers); locked anyway, since a finalizer's thread is the runtime's choice.
class BlockRegistry {
 public:
  void add(const std::shared_ptr<SharedBlock>& block);
  void remove(const void* start);
  // The block whose memory holds all of [data, data + bytes), or null.
  std::shared_ptr<SharedBlock> find(const void* data, std::size_t bytes) const;
  std::size_t count() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::uintptr_t, std::weak_ptr<SharedBlock>> blocks_;
};

// allocateFloat32(n) / allocateUint32(n): a zero-filled typed array of n elements over a shared
// block, or over a plain ArrayBuffer where the runtime refuses external buffers (then async
// calls copy it, as any caller's array). n: an integer in 0..2^31.
Napi::Value AllocateFloat32(const Napi::CallbackInfo& info, const std::shared_ptr<BlockRegistry>& registry);
Napi::Value AllocateUint32(const Napi::CallbackInfo& info, const std::shared_ptr<BlockRegistry>& registry);

}  // namespace fastmlp::addon
