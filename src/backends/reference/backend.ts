/** The reference backend: plain TypeScript loops over typed arrays, float32 and float64. */
import { allocArray, type Backend, type DType, type TypedArray } from '../../core/index.js';

export class ReferenceBackend implements Backend {
  readonly name = 'reference';
  readonly dtypes: readonly DType[] = ['float32', 'float64'];
  private live = 0;

  alloc(dtype: DType, size: number): TypedArray {
    this.live++;
    return allocArray(dtype, size);
  }

  release(): void {
    this.live--;
  }

  liveBuffers(): number {
    return this.live;
  }

  describe(): Record<string, unknown> {
    return { backend: this.name };
  }
}
