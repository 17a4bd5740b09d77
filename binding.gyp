{
  "targets": [
    {
      "target_name": "aekit_native",
      "sources": [
        "native/addon.cc",
        "native/buffers.cc",
        "native/cpu.cc",
        "native/gemm.cc",
        "native/isa-avx2.cc",
        "native/isa-avx512.cc",
        "native/isa-scalar.cc",
        "native/ops-conv.cc",
        "native/ops-dense.cc",
        "native/ops-elementwise.cc",
        "native/ops-layout.cc",
        "native/ops-loss.cc",
        "native/ops-window.cc",
        "native/strided.cc",
        "native/threads.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O3", "-fno-math-errno", "-pthread", "-fvisibility=hidden"],
      "cflags_cc": ["-std=gnu++20"],
      "ldflags": ["-pthread"]
    }
  ]
}
