#include "cpu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace aekit {

const IsaTable* gIsa = &kScalarTable;

namespace {

// __builtin_cpu_supports also checks that the OS saves the wide registers (XGETBV).
bool hasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
}

bool hasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const IsaTable* tableFor(const char* name) {
  if (std::strcmp(name, "avx512") == 0) return &kAvx512Table;
  if (std::strcmp(name, "avx2") == 0) return &kAvx2Table;
  if (std::strcmp(name, "scalar") == 0) return &kScalarTable;
  return nullptr;
}

}  // namespace

bool isaSupported(const char* name) {
  if (std::strcmp(name, "avx512") == 0) return hasAvx512();
  if (std::strcmp(name, "avx2") == 0) return hasAvx2();
  return std::strcmp(name, "scalar") == 0;
}

const char* supportedIsas() {
  static std::string list;
  list.clear();
  for (const char* n : {"avx512", "avx2", "scalar"})
    if (isaSupported(n)) list.append(list.empty() ? "" : ",").append(n);  // not operator+: a GCC 12 -Wrestrict false alarm in C++20
  return list.c_str();
}

const char* selectIsa(const char* name) {
  static char msg[256];
  const IsaTable* t = tableFor(name);
  if (!t) {
    std::snprintf(msg, sizeof msg, "unknown ISA '%s' (expected avx512, avx2 or scalar)", name);
    return msg;
  }
  if (!isaSupported(name)) {
    std::snprintf(msg, sizeof msg, "ISA '%s' is not supported by this CPU (supported: %s)", name, supportedIsas());
    return msg;
  }
  gIsa = t;
  return nullptr;
}

const char* checkIsaTables() {
  static char msg[128];
  for (const IsaTable* t : {&kAvx512Table, &kAvx2Table, &kScalarTable}) {
    if (const char* entry = missingIsaEntry(*t)) {
      std::snprintf(msg, sizeof msg, "the '%s' kernel table has no '%s' entry", t->name ? t->name : "?", entry);
      return msg;
    }
  }
  return nullptr;
}

const char* initIsa() {
  const char* forced = std::getenv("AEKIT_NATIVE_ISA");
  if (forced && *forced) return selectIsa(forced);
  return selectIsa(hasAvx512() ? "avx512" : hasAvx2() ? "avx2" : "scalar");
}

}  // namespace aekit
