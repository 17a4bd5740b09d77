/** Element types. float32 is the working type; float64 exists on the reference backend for gradient checks. */
export type DType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array;

export function allocArray(dtype: DType, size: number): TypedArray {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

export function dtypeOf(a: TypedArray): DType {
  return a instanceof Float64Array ? 'float64' : 'float32';
}
