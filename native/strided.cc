#include "strided.h"

namespace aekit {

bool Strided::init(int r, const long* d, int nops, const long* const* opDims) {
  if (r > kMaxRank) return false;
  for (int i = 0; i < r; i++)
    for (int o = 0; o < nops; o++)
      if (opDims[o][i] != 1 && opDims[o][i] != d[i]) return false;
  ops = nops;
  rank = 0;
  long acc[3] = {1, 1, 1};
  long tmpDims[kMaxRank], tmpStrides[3][kMaxRank];
  // Contiguous strides per operand, from the last axis back; size-1 axes of the output are dropped.
  int n = 0;
  for (int i = r - 1; i >= 0; i--) {
    if (d[i] == 1) continue;
    tmpDims[n] = d[i];
    for (int o = 0; o < nops; o++) {
      const bool bcast = opDims[o][i] == 1;
      tmpStrides[o][n] = bcast ? 0 : acc[o];
      if (!bcast) acc[o] *= opDims[o][i];
    }
    n++;
  }
  // Reverse into row-major order, merging an axis into the previous when every operand allows it.
  for (int k = n - 1; k >= 0; k--) {
    bool merge = rank > 0;
    for (int o = 0; merge && o < nops; o++) merge = strides[o][rank - 1] == tmpStrides[o][k] * tmpDims[k];
    if (merge) {
      dims[rank - 1] *= tmpDims[k];
      for (int o = 0; o < nops; o++) strides[o][rank - 1] = tmpStrides[o][k];
    } else {
      dims[rank] = tmpDims[k];
      for (int o = 0; o < nops; o++) strides[o][rank] = tmpStrides[o][k];
      rank++;
    }
  }
  if (rank == 0) {  // every axis has size 1: one element
    dims[0] = 1;
    for (int o = 0; o < nops; o++) strides[o][0] = 1;
    rank = 1;
  }
  return true;
}

long Strided::rows() const {
  long n = 1;
  for (int i = 0; i < rank - 1; i++) n *= dims[i];
  return n;
}

void Strided::rowOffsets(long row, long* offsets) const {
  for (int o = 0; o < ops; o++) offsets[o] = 0;
  for (int i = rank - 2; i >= 0; i--) {
    const long idx = row % dims[i];
    row /= dims[i];
    for (int o = 0; o < ops; o++) offsets[o] += idx * strides[o][i];
  }
}

}  // namespace aekit
