// Which instruction set the kernels run with: detected from CPUID, forced by AEKIT_NATIVE_ISA or setIsa().
#pragma once
#include "isa.h"

namespace aekit {

extern const IsaTable* gIsa;  // the active table; never null after init

bool isaSupported(const char* name);
// Select by name; returns an error message (nullptr on success).
const char* selectIsa(const char* name);
// An error naming the first unset entry of any ISA table (a build mistake), or nullptr.
const char* checkIsaTables();
// Apply AEKIT_NATIVE_ISA (or the best supported ISA); returns an error message or nullptr.
const char* initIsa();
// Comma-separated list of supported ISA names, best first.
const char* supportedIsas();

}  // namespace aekit
