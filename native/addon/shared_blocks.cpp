// The addon's allocator for the fit loop's arrays (shared_blocks.hpp).
#include "shared_blocks.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "guards.hpp"
#include "sizes.hpp"

namespace fastmlp::addon {

namespace {

// A transparent huge page on x86-64 and most arm64 kernels. Blocks of at least this size are
// mapped aligned to it and advised MADV_HUGEPAGE, so that the fit's copy of X (tens of MB) is
// written into ~30 faults instead of one per 4 KiB page: on a VM where a fault costs ~15 us that is
// the difference between 13 ms and 220 ms for 60 MB (bench/api-speed.ts). The advice is only a
// hint: kernels without THP (or with it off) give ordinary pages, and the memory is the same.
constexpr std::size_t kHugePage = std::size_t{2} << 20;

}  // namespace

SharedBlock::SharedBlock(std::size_t bytes) : data_(nullptr), bytes_(bytes) {
#if defined(__linux__)
  if (bytes >= kHugePage && bytes <= SIZE_MAX - kHugePage) {
    // Anonymous memory is zero-filled, as calloc's; one huge page more to align the start.
    void* base = mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base != MAP_FAILED) {
      const std::uintptr_t start = reinterpret_cast<std::uintptr_t>(base);
      const std::uintptr_t aligned = (start + kHugePage - 1) & ~(std::uintptr_t{kHugePage} - 1);
      madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);  // a hint: failure is fine
      map_base_ = base;
      map_bytes_ = bytes + kHugePage;
      data_ = reinterpret_cast<void*>(aligned);
      return;
    }
  }
#endif
  data_ = std::calloc(bytes, 1);
  if (data_ == nullptr) throw std::bad_alloc();
}

SharedBlock::~SharedBlock() {
#if defined(__linux__)
  if (map_base_ != nullptr) {
    munmap(map_base_, map_bytes_);
    return;
  }
#endif
  std::free(data_);
}

void BlockRegistry::add(const std::shared_ptr<SharedBlock>& block) {
  const std::lock_guard<std::mutex> lock(mutex_);
  blocks_[reinterpret_cast<std::uintptr_t>(block->data())] = block;
}

void BlockRegistry::remove(const void* start) {
  const std::lock_guard<std::mutex> lock(mutex_);
  blocks_.erase(reinterpret_cast<std::uintptr_t>(start));
}

std::shared_ptr<SharedBlock> BlockRegistry::find(const void* data, std::size_t bytes) const {
  if (data == nullptr || bytes == 0) return nullptr;
  const auto at = reinterpret_cast<std::uintptr_t>(data);
  const std::lock_guard<std::mutex> lock(mutex_);
  auto it = blocks_.upper_bound(at);  // the first block starting after data
  if (it == blocks_.begin()) return nullptr;
  --it;  // the last block starting at or before data
  std::shared_ptr<SharedBlock> block = it->second.lock();
  if (!block) return nullptr;
  const std::size_t from = at - it->first;
  if (from > block->bytes() || bytes > block->bytes() - from) return nullptr;
  return block;
}

std::size_t BlockRegistry::count() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return blocks_.size();
}

namespace {

// What an external ArrayBuffer's finalizer needs: JS's reference to the block and the registry
// to leave (shared, so the finalizer works whichever of it and the addon's instance data goes
// first at shutdown).
struct JsHold {
  std::shared_ptr<BlockRegistry> registry;
  std::shared_ptr<SharedBlock> block;
};

void release_js_hold(napi_env env, void* data, void* hint) {
  auto* hold = static_cast<JsHold*>(hint);
  hold->registry->remove(data);
  std::int64_t ignored = 0;
  napi_adjust_external_memory(env, -static_cast<std::int64_t>(hold->block->bytes()), &ignored);
  delete hold;  // drops JS's reference; a running call's reference keeps the memory until it settles
}

// An ArrayBuffer of `bytes` zeroed bytes: over a shared block, or a plain one where the runtime
// refuses external buffers or bytes is 0 (an external buffer needs memory to point at).
Napi::ArrayBuffer allocate(Napi::Env env, std::size_t bytes, const std::shared_ptr<BlockRegistry>& registry) {
  if (bytes == 0) return Napi::ArrayBuffer::New(env, 0);
  std::shared_ptr<SharedBlock> block;
  try {
    block = std::make_shared<SharedBlock>(bytes);
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(env, "Array buffer allocation failed");
  }
  auto* hold = new JsHold{registry, block};
  napi_value buffer = nullptr;
  const napi_status status =
      napi_create_external_arraybuffer(env, block->data(), bytes, release_js_hold, hold, &buffer);
  if (status != napi_ok) {
    delete hold;  // never attached: the block goes with it
    if (status == static_cast<napi_status>(22)) {  // napi_no_external_buffers_allowed (V8 sandbox)
      return Napi::ArrayBuffer::New(env, bytes);   // zeroed by the runtime; copied by async calls
    }
    NAPI_THROW_IF_FAILED(env, status, Napi::ArrayBuffer());
  }
  registry->add(block);
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<std::int64_t>(bytes));
  return Napi::ArrayBuffer(env, buffer);
}

std::size_t expect_count(const Napi::CallbackInfo& info, const char* method) {
  expect_arg_count(info, 1, method);
  return expect_size(info[0], "n", 0, kMaxElements);
}

}  // namespace

Napi::Value AllocateFloat32(const Napi::CallbackInfo& info, const std::shared_ptr<BlockRegistry>& registry) {
  const std::size_t n = expect_count(info, "allocateFloat32");
  const Napi::ArrayBuffer buffer = allocate(info.Env(), n * sizeof(float), registry);
  return Napi::Float32Array::New(info.Env(), n, buffer, 0);
}

Napi::Value AllocateUint32(const Napi::CallbackInfo& info, const std::shared_ptr<BlockRegistry>& registry) {
  const std::size_t n = expect_count(info, "allocateUint32");
  const Napi::ArrayBuffer buffer = allocate(info.Env(), n * sizeof(std::uint32_t), registry);
  return Napi::Uint32Array::New(info.Env(), n, buffer, 0);
}

}  // namespace fastmlp::addon
