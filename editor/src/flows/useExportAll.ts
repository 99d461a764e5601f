import { useState } from 'react';
import { toast } from '../ui/toast.js';
import { bundleFileName, exportText } from './bundle.js';
import { downloadText } from './download.js';
import { exportAllFlows } from './flows-api.js';

/** "Export all": downloads every flow as one bundle; a failure downloads nothing and is kept in `error`. */
export function useExportAll() {
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<string>();

  const exportAll = async () => {
    if (exporting) return;
    setExporting(true);
    setError(undefined);
    try {
      const bundle = await exportAllFlows();
      const name = bundleFileName(new Date());
      downloadText(name, exportText(bundle));
      toast(`Downloaded ${name} (${bundle.flows.length === 1 ? '1 flow' : `${bundle.flows.length} flows`})`, 'success');
    } catch (e) {
      setError(`Export all failed, nothing was downloaded: ${(e as Error).message}`);
    } finally {
      setExporting(false);
    }
  };

  return { exporting, exportAll, error, dismissError: () => setError(undefined) };
}
