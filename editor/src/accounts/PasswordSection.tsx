import { useState } from 'react';
import { PasswordSchema } from '../../../shared/people.js';
import { toast } from '../ui/toast.js';
import { changePassword } from './accounts-api.js';
import { type FieldErrors, placeErrors, sentence } from './form-errors.js';

type Field = 'current' | 'password' | 'repeat';

/** Changing one's own password: the current one, the new one twice; refusals under the field they are about. */
export function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<FieldErrors<Field>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const local: FieldErrors<Field> = {};
    if (current === '') local.current = ['Enter your current password.'];
    const problem = PasswordSchema.safeParse(password);
    if (!problem.success) local.password = [sentence(problem.error.issues[0]?.message ?? 'choose another password')];
    else if (repeat !== password) local.repeat = ['The two new passwords differ.'];
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      await changePassword(current, password);
      setCurrent('');
      setPassword('');
      setRepeat('');
      toast('Password changed. Use the new one next time you sign in.', 'success');
    } catch (error) {
      setErrors(
        placeErrors(error, ['current', 'password'] as const, {
          403: { field: 'current', message: 'That is not your current password.' },
          // A service account, or an account that signs in only with single sign-on.
          409: { field: 'form' },
        }),
      );
    } finally {
      setBusy(false);
    }
  };

  const state = (field: Field) =>
    errors[field]?.length ? { 'aria-invalid': true as const, 'aria-describedby': `pw-${field}-error` } : { 'aria-describedby': `pw-${field}-help` };
  const message = (field: Field) =>
    errors[field]?.length ? (
      <div id={`pw-${field}-error`} className="field-error" data-testid={`password-${field}-error`}>
        {errors[field]!.join(' ')}
      </div>
    ) : null;

  return (
    <section className="card account-section" aria-labelledby="password-title">
      <form className="card-body password-form" onSubmit={submit} noValidate data-testid="password-form">
        <h2 id="password-title">Password</h2>
        {errors.form?.length ? (
          <div className="banner error" role="alert" data-testid="password-form-error">
            {errors.form.join(' ')}
          </div>
        ) : null}
        <div className="password-fields">
          <div className="field">
            <label htmlFor="pw-current">Current password</label>
            <input id="pw-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} {...state('current')} />
            {message('current')}
          </div>
          <div className="field">
            <label htmlFor="pw-password">New password</label>
            <input id="pw-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} {...state('password')} />
            {message('password')}
            <div id="pw-password-help" className="field-help">
              At least 12 characters. A few unrelated words are easy to remember.
            </div>
          </div>
          <div className="field">
            <label htmlFor="pw-repeat">New password again</label>
            <input id="pw-repeat" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} {...state('repeat')} />
            {message('repeat')}
          </div>
        </div>
        <button type="submit" className="primary" disabled={busy} data-testid="password-save">
          {busy ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}
