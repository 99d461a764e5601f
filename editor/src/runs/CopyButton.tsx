import { useState } from 'react';
import { Check, Copy } from 'lucide-react';
import { toast } from '../ui/toast.js';
import { copyText } from './clipboard.js';

/** An icon button that copies `text`; `what` names it for screen readers ("Copy output"). */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await copyText(text);
      setDone(true);
      setTimeout(() => setDone(false), 1500);
    } catch (error) {
      toast(`Could not copy: ${(error as Error).message}`, 'error');
    }
  };
  return (
    <button type="button" className="ghost icon small copy-button" aria-label={`Copy ${what}`} title={`Copy ${what}`} onClick={copy}>
      {done ? <Check size={14} aria-hidden="true" /> : <Copy size={14} aria-hidden="true" />}
    </button>
  );
}
