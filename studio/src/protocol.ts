/** Messages between the page and the training worker. */
import type { TrainEvent } from '../../dist/src/train/events.js';

/** The data a run trains on: the bundled MNIST (first `limit` training images) or a CSV's text. */
export type DataSource =
  | { kind: 'mnist' }
  | { kind: 'csv'; name: string; text: string; labelColumn: string | null }
  | { kind: 'images'; name: string; files: ImageFile[]; classNames: string[] | null };

/** One image of a dropped folder: the file, its path in the folder, its class (label) or null. */
export interface ImageFile { file: File; path: string; label: number | null }

/** Control word shared with the worker (SharedArrayBuffer): pause blocks the worker between two steps. */
export const RUNNING = 0, PAUSED = 1, STOPPING = 2;

/** `base`: the page's folder URL; the worker fetches data/mnist/… and wasm/… under it (the studio may live at /studio/). */
export type ToWorker = { type: 'start'; config: unknown; data: DataSource; control: SharedArrayBuffer; base: string };

/** A model as the two files of a model directory. */
export interface ModelFiles { config: string; weights: Uint8Array }

/** Samples for the explore page, already normalised as the model sees them. */
export interface Samples { x: Float32Array; n: number; sampleShape: number[]; labels: Int32Array | null; source: string }

export type FromWorker =
  | { type: 'ready'; backend: string; config: unknown; samples: Samples }
  | { type: 'events'; events: TrainEvent[] }
  | { type: 'paused' }
  | { type: 'model'; files: ModelFiles; epoch: number }
  | { type: 'done'; status: string; files: ModelFiles | null; samplesPerSec: number }
  | { type: 'error'; message: string };
