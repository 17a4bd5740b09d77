#include "buffers.h"

#include <atomic>
#include <cstdlib>

namespace aekit {
namespace {

std::atomic<long> gAllocations{0}, gLive{0}, gLiveBytes{0};

size_t roundUp64(size_t bytes) { return bytes == 0 ? 64 : (bytes + 63) / 64 * 64; }

void freeBlock(napi_env, void* data, void* hint) {
  std::free(data);
  gLive--;
  gLiveBytes -= (long)reinterpret_cast<size_t>(hint);
}

}  // namespace

napi_value allocFloat32(napi_env env, size_t n) {
  const size_t bytes = roundUp64(n * sizeof(float));
  void* data = std::aligned_alloc(64, bytes);
  if (!data) {
    napi_throw_error(env, nullptr, "aekit native alloc: out of memory");
    return nullptr;
  }
  napi_value ab, ta;
  if (napi_create_external_arraybuffer(env, data, n * sizeof(float), freeBlock, reinterpret_cast<void*>(bytes), &ab) != napi_ok) {
    std::free(data);
    napi_throw_error(env, nullptr, "aekit native alloc: napi_create_external_arraybuffer failed (external buffers disabled?)");
    return nullptr;
  }
  gAllocations++;
  gLive++;
  gLiveBytes += (long)bytes;
  napi_create_typedarray(env, napi_float32_array, n, ab, 0, &ta);
  return ta;
}

AllocStats allocStats() { return {(double)gAllocations.load(), (double)gLive.load(), (double)gLiveBytes.load()}; }

Scratch::~Scratch() { std::free(data_); }

float* Scratch::get(size_t n) {
  if (n > cap_) {
    std::free(data_);
    cap_ = n;
    data_ = std::aligned_alloc(64, roundUp64(n * sizeof(float)));
  }
  return static_cast<float*>(data_);
}

}  // namespace aekit
