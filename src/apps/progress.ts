/** How long-running application code reports progress: a stage name and a count, to any sink (the CLI draws a bar). */
export interface Progress {
  /** What is being done, e.g. 'encoding', 'k-NN on latent codes'. */
  stage: string;
  done: number;
  total: number;
}

export type ProgressSink = (p: Progress) => void;
