/**
 * Folders of PNG and JPEG images as datasets. Labels come from class folders (DIR/cat/1.png is a
 * "cat"; sorted class names give labels 0..K-1; a class folder's subfolders belong to it, as in
 * torchvision's ImageFolder); images directly in DIR have no label. Each image becomes
 * (channels, height, width) values in [0, 1] at one declared size, decoded one file at a time into
 * the dataset's single Float32Array.
 */
import { constants as bufferConstants } from 'node:buffer';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeDataset, type Dataset } from './dataset.js';
import { quoted, readFileBytes } from './file.js';
import { decodeImage } from './image-decode.js';
import { imageValues, type ImageSize } from './pixels.js';

export { imageValues, type ImageSize };

export interface ImageFolderOptions {
  /** 1: grey (colour converted with the luma weights 0.299 R + 0.587 G + 0.114 B); 3: RGB (grey repeated). Default 1. */
  channels?: 1 | 3;
  /** Every image is resized to this (area averaging to shrink, bilinear to grow); default: the first image's size. */
  size?: ImageSize | null;
  /** Read only the first N images, in dataset order. */
  limit?: number | null;
  /** Class names whose labels to keep (a test folder takes the training folder's); new classes follow them, sorted. */
  classNames?: readonly string[] | null;
}

/** A dataset of images, sample shape [channels, height, width]. */
export interface ImageFolderDataset extends Dataset {
  /** Label i is the class folder `classNames[i]`; null when the images lie directly in the folder. */
  classNames: string[] | null;
  /** Each row's file, relative to the folder ('/'-separated), in row order. */
  files: string[];
  /** How many images had another size than the dataset's and were resized. */
  resized: number;
}

/** The images a folder holds, in dataset order: class folders by name, then files by path within each. */
export interface ImageFolderListing {
  files: string[];
  /** The class folder of each file, or null when the images lie directly in the folder. */
  classes: string[] | null;
  classNames: string[] | null;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

/** Read a folder of PNG and JPEG images; errors name the folder or the file. */
export function readImageFolder(dir: string, opts: ImageFolderOptions = {}): ImageFolderDataset {
  const channels = opts.channels ?? 1;
  const listing = listImageFolder(dir);
  const n = Math.min(listing.files.length, opts.limit ?? Infinity);
  const path = (i: number) => join(dir, listing.files[i]!);
  const first = decodeImage(readFileBytes(path(0)), path(0));
  const size = opts.size ?? { width: first.width, height: first.height };
  const dim = channels * size.height * size.width;
  if (n * dim > MAX_VALUES) {
    throw new Error(`${dir}: ${n} images of ${channels}x${size.height}x${size.width} values need ${n * dim} floats, more than one array holds (${MAX_VALUES}); use a smaller image size or a limit`);
  }
  const x = new Float32Array(n * dim);
  let resized = 0;
  for (let i = 0; i < n; i++) {
    const img = i === 0 ? first : decodeImage(readFileBytes(path(i)), path(i));
    if (img.width !== size.width || img.height !== size.height) resized++;
    imageValues(img, channels, size, x.subarray(i * dim, (i + 1) * dim));
  }
  const { labels, classNames } = labelsOf(listing, n, opts.classNames ?? null);
  const ds = makeDataset({ x, sampleShape: [channels, size.height, size.width], labels, source: dir });
  return { ...ds, classNames, files: listing.files.slice(0, n), resized };
}

/** Values one Float32Array may hold (1 Gi floats, 4 GiB, on Node 20). */
const MAX_VALUES = Math.floor(bufferConstants.MAX_LENGTH / 4);


/** List a folder's images (hidden files and folders are skipped); refuses anything else in it. */
export function listImageFolder(dir: string): ImageFolderListing {
  const top = entries(dir);
  const seen = new Set([realpathSync(dir)]);
  const loose = top.filter((e) => !e.isDir).map((e) => e.name);
  const classDirs = top.filter((e) => e.isDir).map((e) => e.name);
  const others = loose.filter((f) => !IMAGE_EXTENSIONS.test(f));
  const files: string[] = [];
  const classes: string[] = [];
  const empty: string[] = [];
  for (const name of classDirs) {
    const found = { images: [] as string[], others };
    walk(dir, name, seen, found);
    if (found.images.length === 0) empty.push(name);
    for (const f of found.images) files.push(f), classes.push(name);
  }
  if (others.length > 0) {
    const shown = others.sort(byCodeUnits).slice(0, SHOWN).map((f) => quoted(f)).join(', ');
    throw new Error(`${dir}: files that are not .png, .jpg or .jpeg images: ${shown}${others.length > SHOWN ? ', …' : ''}; move them out of the folder (hidden files are skipped)`);
  }
  if (empty.length > 0) throw new Error(`${dir}: class folders that hold no images: ${few(empty)}`);
  if (loose.length > 0 && classDirs.length > 0) {
    throw new Error(`${dir}: images lie directly in the folder (${few(loose)}) beside class folders (${few(classDirs)}); put every image in a class folder, whose name is its label, or none in any`);
  }
  if (loose.length + files.length === 0) throw new Error(`${dir}: the folder holds no PNG or JPEG images`);
  return classDirs.length === 0 ? { files: loose, classes: null, classNames: null } : { files, classes, classNames: classDirs };
}

/** Names a message lists; a walk stops once it has found one more file that is not an image (`--data /` fails fast). */
const SHOWN = 5;

interface Entry {
  name: string;
  isDir: boolean;
}

/** A folder's visible entries sorted by name (UTF-16 code units, as `ls` in the C locale for ASCII), links followed. */
function entries(dir: string): Entry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no such folder: ${dir}` : `${dir}: cannot list the folder: ${(err as Error).message}`);
  }
  return names.filter((n) => !n.startsWith('.')).sort(byCodeUnits).map((name) => {
    let isDir = false;
    try {
      isDir = statSync(join(dir, name)).isDirectory();
    } catch {
      // A dangling link is left to fail as a file, naming itself.
    }
    return { name, isDir };
  });
}

/** Add the files under `dir/rel` (paths relative to `dir`) to `found`; a folder reached twice through links is refused. */
function walk(dir: string, rel: string, seen: Set<string>, found: { images: string[]; others: string[] }): void {
  const real = realpathSync(join(dir, rel));
  if (seen.has(real)) throw new Error(`${join(dir, rel)}: the folder is reached a second time (through a link); each folder may be read once`);
  seen.add(real);
  for (const e of entries(join(dir, rel))) {
    if (found.others.length > SHOWN) return;
    const path = `${rel}/${e.name}`;
    if (e.isDir) walk(dir, path, seen, found);
    else (IMAGE_EXTENSIONS.test(e.name) ? found.images : found.others).push(path);
  }
}

function labelsOf(listing: ImageFolderListing, n: number, known: readonly string[] | null): { labels: Int32Array | null; classNames: string[] | null } {
  if (listing.classes === null || listing.classNames === null) return { labels: null, classNames: null };
  const names = known === null ? [...listing.classNames] : [...known, ...listing.classNames.filter((c) => !known.includes(c))];
  const index = new Map(names.map((c, i) => [c, i]));
  return { labels: Int32Array.from(listing.classes.slice(0, n), (c) => index.get(c)!), classNames: names };
}

/** Up to five names for a message, quoted, then how many more. */
function few(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((s) => quoted(s)).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
