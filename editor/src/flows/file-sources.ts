import { IMPORT_BODY_LIMIT_BYTES, type ImportSource } from './import-plan.js';

export interface RejectedFile {
  name: string;
  reason: string;
}

/** Whether a picked or dropped file is one to read: a `.json` name, or a JSON media type. */
export function isJsonFile(file: { name: string; type: string }): boolean {
  return /\.json$/i.test(file.name) || file.type === 'application/json';
}

/** Reads the .json files among `files`; the others are listed with why they were skipped. */
export async function readJsonFiles(files: Iterable<File>): Promise<{ sources: ImportSource[]; rejected: RejectedFile[] }> {
  const sources: ImportSource[] = [];
  const rejected: RejectedFile[] = [];
  for (const file of files) {
    if (!isJsonFile(file)) {
      rejected.push({ name: file.name, reason: 'not a .json file' });
    } else if (file.size > IMPORT_BODY_LIMIT_BYTES) {
      rejected.push({ name: file.name, reason: `${(file.size / 1024 / 1024).toFixed(1)} MiB; the API accepts at most 4 MiB` });
    } else {
      try {
        sources.push({ name: file.name, text: await file.text() });
      } catch (error) {
        rejected.push({ name: file.name, reason: `could not be read (${(error as Error).message})` });
      }
    }
  }
  return { sources, rejected };
}

/** Adds `incoming` to `current`; a file with the same name replaces the earlier one in place (picked again after a fix). */
export function mergeSources(current: readonly ImportSource[], incoming: readonly ImportSource[]): ImportSource[] {
  const byName = new Map(incoming.map((s) => [s.name, s]));
  const kept = current.map((s) => byName.get(s.name) ?? s);
  const known = new Set(current.map((s) => s.name));
  return [...kept, ...incoming.filter((s) => !known.has(s.name))];
}
