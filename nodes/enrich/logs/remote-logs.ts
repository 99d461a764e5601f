/**
 * The commands `enrich.logs` runs over SSH, and the checks that keep an alert from choosing
 * another unit's journal or another file: fixed argv lists, never a shell line.
 */

/** A systemd unit name: what `journalctl --unit=` is given (no globs, not an option). */
const UNIT = /^[A-Za-z0-9:_.\\@-]{1,256}$/;

/** Why a rendered unit cannot be read, or undefined. */
export function unitProblem(unit: string): string | undefined {
  if (!UNIT.test(unit) || unit.startsWith('-')) {
    return `unit "${unit.slice(0, 80)}" is not a systemd unit name (letters, digits, : _ . @ - and \\, not starting with -)`;
  }
  return undefined;
}

/** At save: a written-out unit must be a unit name; a template is checked once rendered. */
export function literalUnitProblem(unit: string): string | undefined {
  return unit.includes('{{') ? undefined : unitProblem(unit.trim());
}

/** Characters of a directory path; a file name is the same without `/`. */
const DIRECTORY = /^\/[A-Za-z0-9._@+/-]*$/;
const FILE_NAME = /^[A-Za-z0-9._@+-]{1,255}$/;

/** At save: why `directory` is not a written-out absolute directory, or undefined. */
export function directoryProblem(directory: string): string | undefined {
  const shown = `"${directory.slice(0, 120)}"`;
  if (directory.includes('{{')) return 'must be written out (no templates): an alert may not choose the directory; put the template in file';
  if (!directory.startsWith('/')) return `${shown} is not absolute, e.g. /var/log/nginx`;
  if (!DIRECTORY.test(directory)) return `${shown} holds characters other than letters, digits, . _ - @ + and /`;
  if (directory.includes('//') || directory.split('/').some((part) => part === '..' || part === '.')) return `${shown} holds //, . or ..`;
  return undefined;
}

/** Why a (rendered) file name is not one file in the directory, or undefined. */
export function fileNameProblem(file: string): string | undefined {
  if (!FILE_NAME.test(file) || file === '.' || file === '..') {
    return `file "${file.slice(0, 120)}" is not a file name (letters, digits, . _ - @ +; no /, not . or ..)`;
  }
  return undefined;
}

/** At save: a written-out file name is checked now; a template once rendered. */
export function literalFileNameProblem(file: string): string | undefined {
  return file.includes('{{') ? undefined : fileNameProblem(file.trim());
}

/** The file's path: the directory (without a trailing `/`) and the name. */
export const filePath = (directory: string, file: string): string => `${directory.replace(/\/+$/, '')}/${file}`;

export const journalArgv = (unit: string, lines: number): string[] => ['journalctl', '--no-pager', '--quiet', '--output=short-iso', `--lines=${lines}`, `--unit=${unit}`];

/**
 * The file's last `bytes` bytes (not lines): the newest part of the file however long its lines
 * are; the step then keeps its last lines. `--` first, so a name is never read as an option.
 */
export const tailArgv = (path: string, bytes: number): string[] => ['tail', '-c', String(bytes), '--', path];
