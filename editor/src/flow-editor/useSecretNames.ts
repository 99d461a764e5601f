import { useEffect, useState } from 'react';
import { api, call } from '../api/client.js';

/** The names of the secrets the server knows (never their values), for the config form's pickers; none if it cannot say. */
export function useSecretNames(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    call(api.secrets.$get()).then(
      (r) => setNames(r.secrets.map((i) => i.name)),
      () => setNames([]),
    );
  }, []);
  return names;
}
