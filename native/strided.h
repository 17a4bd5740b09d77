// Broadcasting iteration: up to three operands read with row-major strides relative to an output
// shape (stride 0 on broadcast axes). Adjacent axes that are contiguous for every operand are
// merged, so most calls become one long row or rows × a contiguous inner run.
#pragma once

namespace aekit {

constexpr int kMaxRank = 16;

struct Strided {
  int rank = 0;
  int ops = 0;
  long dims[kMaxRank];
  long strides[3][kMaxRank];

  // dims: output shape; opDims[o]: operand shapes right-aligned and padded with 1s to `rank`.
  // Returns false when the rank is too large or an operand axis is neither 1 nor the output's.
  bool init(int rank, const long* dims, int ops, const long* const* opDims);
  long rows() const;                      // product of all but the last axis
  long inner() const { return dims[rank - 1]; }
  // Offsets of each operand at the start of row `row`.
  void rowOffsets(long row, long* offsets) const;

  // f(row, offsets, n) for rows [lo, hi): offsets of each operand at the row start, n = inner().
  template <class F>
  void forRows(long lo, long hi, F f) const {
    if (lo >= hi) return;
    long off[3], idx[kMaxRank];
    rowOffsets(lo, off);
    long row = lo;
    for (int i = rank - 2; i >= 0; i--) idx[i] = row % dims[i], row /= dims[i];
    for (long r = lo; r < hi; r++) {
      f(r, off, inner());
      for (int i = rank - 2; i >= 0; i--) {  // odometer step over the outer axes
        for (int o = 0; o < ops; o++) off[o] += strides[o][i];
        if (++idx[i] < dims[i]) break;
        for (int o = 0; o < ops; o++) off[o] -= strides[o][i] * dims[i];
        idx[i] = 0;
      }
    }
  }
};

}  // namespace aekit
