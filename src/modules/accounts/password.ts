// Passwords: argon2id hashing (the policy a new password must meet is in
// signup-rules.ts, shared with the web app). Hashing and checking
// run on libuv's thread pool (npm argon2), off the event loop; each costs
// about 100 ms by design, so login and sign-up are rate limited.
import argon2 from 'argon2';

export { PASSWORD_MIN, PASSWORD_MAX, passwordProblem, type PasswordProblem } from './signup-rules.js';

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// Checked when the name is unknown, so an unknown user costs what a wrong password costs.
let decoy: Promise<string> | undefined;
export async function spendVerification(password: string): Promise<void> {
  decoy ??= hashPassword('decoy password that matches nothing');
  await verifyPassword(await decoy, password);
}
