// Sign in. An account made at any node works at every node; the session
// lasts until the browser closes unless "stay signed in" is ticked.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { setSession } from '../../api/session';
import { ProblemAlert } from '../../ui/states';

export function Field({ id, label, ...rest }: { id: string; label: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={id} {...rest} />
    </div>
  );
}

export function LoginPage() {
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [stay, setStay] = useState(false);
  const login = useMutation({
    mutationFn: () => ok(apiAt().POST('/api/v1/auth/login', { body: { username, password } }), 'This node'),
    onSuccess: (s) => {
      setSession({ token: s.token, expiresAt: s.expiresAt, user: s.user }, stay);
      const staff = s.user.roles.find((r) => r.storeId && (r.role === 'MANAGER' || r.role === 'ADMIN'));
      navigate(s.user.roles.some((r) => r.role === 'SUPER_ADMIN') ? '/admin' : staff ? `/staff/${staff.storeId}` : '/');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit}>
        <Field id="username" label="Username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <Field id="password" label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <label className="radio">
          <input type="checkbox" checked={stay} onChange={(e) => setStay(e.target.checked)} /> Stay signed in on this device
        </label>
        <ProblemAlert error={login.error} />
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        New here? <Link to="/signup">Make an account</Link>, or order as a guest from the <Link to="/menu">menu</Link>.
      </p>
    </section>
  );
}
