import { FlaskConical } from 'lucide-react';
import { useState } from 'react';
import { browserSessionStorage, saveTestInput, type TestInput } from '../flow-editor/test-input.js';
import { navigate } from '../router.js';
import { toast } from '../ui/toast.js';

/**
 * Makes `input` the test choice of flow `flowId` and opens its editor on the Test tab, which
 * reads the choice from sessionStorage (see flow-editor/test-input.ts) and shows it chosen.
 */
function openTestPayload(flowId: string, input: TestInput): void {
  saveTestInput(browserSessionStorage(), flowId, input);
  navigate({ page: 'flow', id: flowId, tab: 'test' });
}

interface Props {
  flowId: string;
  flowName: string;
  /** Builds the input (may fetch the delivery's body), or says why the delivery cannot be used. */
  resolve: () => Promise<TestInput | { reason: string }>;
  /** Known before a click: why it cannot be used (the button is disabled and says so). */
  unusable?: string | null;
  /** Name the flow on the button (a delivery on a path several flows listen on). */
  showFlow?: boolean;
  testId?: string;
}

/** "Use as test payload": a stored delivery's body becomes the test input in the flow's editor. */
export function UseAsTestPayloadButton({ flowId, flowName, resolve, unusable, showFlow = false, testId }: Props) {
  const [busy, setBusy] = useState(false);
  const use = async () => {
    setBusy(true);
    try {
      const input = await resolve();
      if ('reason' in input) toast(`This delivery cannot be a test payload: ${input.reason}.`, 'error');
      else openTestPayload(flowId, input);
    } catch (error) {
      toast(`Loading the delivery failed: ${(error as Error).message}`, 'error');
    } finally {
      setBusy(false);
    }
  };
  const title = unusable ? `Cannot be a test payload: ${unusable}` : `Open ${flowName} in the editor with this payload in its Test tab`;
  return (
    <button type="button" className="small use-test-payload" onClick={() => void use()} disabled={busy || Boolean(unusable)} title={title} data-testid={testId}>
      <FlaskConical size={14} aria-hidden="true" />
      {showFlow ? `Test ${flowName} with it` : 'Use as test payload'}
    </button>
  );
}
