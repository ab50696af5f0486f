// Sign up. The form is checked with the same rules the node applies
// (src/modules/accounts/signup-rules.ts); the node checks again.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { ApiProblem, type FieldProblem } from '../../api/problem';
import { setSession } from '../../api/session';
import { ProblemAlert } from '../../ui/states';
import { Field } from './AuthPages';
import { emailSchema, passwordProblem, personNameSchema, usernameSchema } from '../../../../src/modules/accounts/signup-rules';

/** What the node would refuse in this form, field by field, in its words. */
export function signupProblems(form: { username: string; email: string; password: string; firstName: string }): FieldProblem[] {
  const out: FieldProblem[] = [];
  const check = (field: string, result: { success: boolean; error?: { issues: { message: string }[] } }) => {
    if (!result.success) out.push({ field, message: result.error?.issues[0]?.message ?? 'is not valid' });
  };
  check('username', usernameSchema.safeParse(form.username));
  check('email', emailSchema.safeParse(form.email));
  if (form.firstName) check('first name', personNameSchema.safeParse(form.firstName));
  const pw = passwordProblem(form.password, form.username);
  if (pw) out.push({ field: 'password', message: pw.message });
  return out;
}

export default function SignupPage() {
  const navigate = useNavigate();
  const [form, setForm] = useState({ username: '', email: '', password: '', firstName: '' });
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const [fieldErrors, setFieldErrors] = useState<FieldProblem[]>([]);
  const signup = useMutation({
    mutationFn: async () => {
      const { firstName, ...rest } = form;
      await ok(apiAt().POST('/api/v1/auth/register', { body: { ...rest, ...(firstName ? { firstName } : {}) } }), 'This node');
      return ok(apiAt().POST('/api/v1/auth/login', { body: { username: form.username, password: form.password } }), 'This node');
    },
    onSuccess: (s) => {
      setSession({ token: s.token, expiresAt: s.expiresAt, user: s.user });
      navigate('/menu');
    },
  });
  return (
    <section className="narrow">
      <h1>Make an account</h1>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          // The node's own rules (signup-rules.ts), so the form says what the node would, before a round trip.
          const problems = signupProblems(form);
          setFieldErrors(problems);
          if (problems.length === 0) signup.mutate();
        }}
      >
        <Field id="su-username" label="Username" autoComplete="username" required minLength={3} maxLength={50} value={form.username} onChange={set('username')} />
        <Field id="su-email" label="Email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} />
        <Field id="su-first" label="First name (optional)" autoComplete="given-name" value={form.firstName} onChange={set('firstName')} />
        <Field id="su-password" label="Password (at least 10 characters, not a common one)" type="password" autoComplete="new-password" required minLength={10} value={form.password} onChange={set('password')} />
        {fieldErrors.length > 0 && <ProblemAlert error={new ApiProblem(400, 'invalid_request', 'Please check the form', '', fieldErrors)} />}
        <ProblemAlert error={signup.error} />
        <button type="submit" className="primary" disabled={signup.isPending}>
          {signup.isPending ? 'Making your account…' : 'Make my account'}
        </button>
      </form>
    </section>
  );
}
