// Native storage: 64-byte-aligned blocks handed to JavaScript as external ArrayBuffers, and
// per-thread scratch space for kernels.
#pragma once
#include <node_api.h>

#include <cstddef>

namespace aekit {

// A Float32Array of n elements over fresh aligned memory that is freed when the array is collected;
// nullptr, with an Error thrown, when the memory or the array cannot be had.
napi_value allocFloat32(napi_env env, size_t n);

struct AllocStats {
  double allocations;  // native blocks ever allocated
  double live;         // blocks not yet collected
  double liveBytes;
};
AllocStats allocStats();

// Growable aligned scratch, one per thread slot; contents are not preserved across get() calls that grow.
class Scratch {
 public:
  ~Scratch();
  // Space for n floats, or nullptr when it cannot be allocated.
  [[nodiscard]] float* get(size_t n);

 private:
  void* data_ = nullptr;
  size_t cap_ = 0;
};

}  // namespace aekit
