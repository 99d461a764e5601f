import { useCallback, useState } from 'react';
import { mergeSources, readJsonFiles, type RejectedFile } from './file-sources.js';
import type { ImportSource } from './import-plan.js';

/**
 * The files picked or dropped for an import. The page keeps them (not the dialog), so files
 * dropped while the dialog is open are added to it. A file picked again replaces its namesake.
 */
export function useImportFiles() {
  const [files, setFiles] = useState<ImportSource[]>([]);
  const [rejected, setRejected] = useState<RejectedFile[]>([]);

  const add = useCallback(async (picked: File[]) => {
    const { sources, rejected: refused } = await readJsonFiles(picked);
    setFiles((current) => mergeSources(current, sources));
    setRejected((current) => [...current.filter((r) => !picked.some((f) => f.name === r.name)), ...refused]);
  }, []);

  const remove = (name: string) => setFiles((current) => current.filter((f) => f.name !== name));

  const clear = () => {
    setFiles([]);
    setRejected([]);
  };

  return { files, rejected, add, remove, clear };
}
