/** File access for the readers lives in util (so the PNG reader shares it); re-exported for the data layer. */
export * from '../util/file.js';
