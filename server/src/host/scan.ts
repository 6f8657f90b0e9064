/**
 * Reading and pre-scanning one file: the work proportional to all of a workspace's bytes, most of which are
 * documents no check reads (CRD schemas). The result is small plain data, so worker threads can send it cheaply.
 */
import { scanFile, skippedFileScan, type FileScan } from '../core/parse/parseFile';
import { readYamlFile } from './files';

export interface ScannedFile {
  scan: FileScan;
  /** The file's text: present only when some document needs reading. */
  text?: string;
}

export interface ScanOptions {
  /** Files longer than this many characters are skipped with a `file-skipped` problem. */
  maxFileLength: number;
}

/** A file that could not be read at all (it vanished, or permissions): the caller decides what that means. */
export class FileReadError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads, decodes and pre-scans one file. */
export function readAndScan(file: string, options: ScanOptions): ScannedFile {
  let decoded;
  try {
    // A byte limit is applied before decoding, so that a huge file is never decoded; the exact limit, in
    // characters, is applied by the scan. Twice the character limit leaves room for multi-byte characters.
    decoded = readYamlFile(file, options.maxFileLength * 2);
  } catch (e) {
    throw new FileReadError(file, (e as Error).message);
  }
  if (!decoded.ok) return { scan: skippedFileScan(file, decoded.reason) };
  const scan = scanFile(file, decoded.text, options);
  return scan.toRead.length > 0 ? { scan, text: decoded.text } : { scan };
}
