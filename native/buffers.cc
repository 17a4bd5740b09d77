#include "buffers.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace aekit {
namespace {

std::atomic<long> gAllocations{0}, gLive{0}, gLiveBytes{0};

// The largest block handed to JavaScript. Node 20 refuses external buffers past 2^32 bytes, and
// when it does it has already freed the block through our finalizer, so the limit is checked first.
constexpr size_t kMaxBlockBytes = size_t{1} << 32;

// Bytes for n floats rounded up to whole 64-byte lines (64 for n = 0); false when that overflows.
bool blockBytes(size_t n, size_t* bytes) {
  size_t b = 0;
  if (__builtin_mul_overflow(n, sizeof(float), &b) || __builtin_add_overflow(b, size_t{63}, &b)) return false;
  *bytes = n == 0 ? 64 : b / 64 * 64;
  return true;
}

// The engine's GC sees only the small JavaScript wrapper of a block, so blocks are reported as
// external memory: without that, large idle tensors (the pool keeps at most 512 MiB) wait for a
// collection that heap growth alone may never trigger.
void freeBlock(napi_env env, void* data, void* hint) {
  std::free(data);
  gLive--;
  const long bytes = (long)reinterpret_cast<size_t>(hint);
  gLiveBytes -= bytes;
  int64_t ignored;
  napi_adjust_external_memory(env, -bytes, &ignored);
}

// Throws "aekit native alloc: …" in place of any exception already pending; returns nullptr.
napi_value allocError(napi_env env, const char* fmt, size_t v) {
  napi_value pending;
  napi_get_and_clear_last_exception(env, &pending);
  char msg[160];
  std::snprintf(msg, sizeof msg, fmt, v);
  napi_throw_error(env, nullptr, msg);
  return nullptr;
}

}  // namespace

napi_value allocFloat32(napi_env env, size_t n) {
  size_t bytes = 0;
  if (!blockBytes(n, &bytes)) return allocError(env, "aekit native alloc: cannot allocate %zu floats: the byte count overflows", n);
  if (bytes > kMaxBlockBytes) return allocError(env, "aekit native alloc: cannot allocate %zu bytes: more than the 2^32 of a Node-API external buffer", bytes);
  void* data = std::aligned_alloc(64, bytes);
  if (!data) return allocError(env, "aekit native alloc: cannot allocate %zu bytes: out of memory", bytes);
  napi_value ab, ta;
  if (napi_create_external_arraybuffer(env, data, n * sizeof(float), freeBlock, reinterpret_cast<void*>(bytes), &ab) != napi_ok) {
    std::free(data);
    return allocError(env, "aekit native alloc: napi_create_external_arraybuffer failed for %zu bytes (external buffers disabled?)", bytes);
  }
  gAllocations++;
  gLive++;
  gLiveBytes += (long)bytes;
  int64_t ignored;
  napi_adjust_external_memory(env, (int64_t)bytes, &ignored);
  // Cannot fail for 2^30 floats or fewer; should it, the block is freed with ab when it is collected.
  if (napi_create_typedarray(env, napi_float32_array, n, ab, 0, &ta) != napi_ok) return allocError(env, "aekit native alloc: napi_create_typedarray failed for %zu floats", n);
  return ta;
}

AllocStats allocStats() { return {(double)gAllocations.load(), (double)gLive.load(), (double)gLiveBytes.load()}; }

Scratch::~Scratch() { std::free(data_); }

float* Scratch::get(size_t n) {
  if (data_ && n <= cap_) return static_cast<float*>(data_);
  std::free(data_);
  size_t bytes = 0;
  data_ = blockBytes(n, &bytes) ? std::aligned_alloc(64, bytes) : nullptr;
  cap_ = data_ ? n : 0;
  return static_cast<float*>(data_);
}

}  // namespace aekit
