// The sign-up rules: username, email, names and the password policy (NIST
// SP 800-63B style: length and a block list, no composition rules): 10 to
// 128 characters, not one of the commonly used passwords, not containing the
// username, not one character repeated. Pure (zod and the text rule only), so
// the web app checks a form with the very rules the node applies.
import { z } from 'zod';
import { nameText } from '../../lib/text.js';

export const usernameSchema = z
  .string()
  .min(3, 'must be at least 3 characters')
  .max(32, 'must be at most 32 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." and "-", starting with a letter or digit');
export const emailSchema = z.email('must be an email address').max(254, 'must be at most 254 characters');
export const personNameSchema = nameText(100);

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

// The most used passwords of public breach lists that are 10+ characters long
// (shorter ones fail on length already), lower-cased.
const COMMON = new Set([
  '1234567890', '12345678910', '0123456789', '1111111111', '0000000000', '1234512345', '1q2w3e4r5t',
  '1qaz2wsx3edc', 'qwertyuiop', 'qwerty1234', 'qwerty12345', 'qwerty123456', 'password12', 'password123',
  'password1234', 'password12345', 'password!', 'password01', 'passw0rd123', 'iloveyou12', 'iloveyou123',
  'abcdefghij', 'abcd123456', 'abc1234567', 'a123456789', '123456789a', '123456789q', 'q123456789',
  'football123', 'baseball123', 'basketball', 'letmein123', 'welcome123', 'welcome1234', 'sunshine123',
  'princess123', 'dragon1234', 'monkey1234', 'starwars123', 'superman123', 'trustno1234', 'michael123',
  'jennifer123', 'charlie123', 'qazwsxedc123', 'zaq12wsxcde', 'asdfghjkl1', 'asdfghjkl123', 'zxcvbnm123',
  'changeme123', 'administrator', 'admin12345', 'admin123456', 'adminadmin', 'passwordpassword', 'computer123',
  'internet123', 'whatever123', 'football1', 'soccer1234', 'liverpool1', 'chocolate1', 'butterfly1',
  'p@ssw0rd123', 'p@ssword123', 'codepop123', 'codepop1234', 'sodasoda12', 'drinkdrink',
]);

export interface PasswordProblem {
  field: 'password';
  message: string;
}

/** What is wrong with a new password, or undefined when it meets the policy. */
export function passwordProblem(password: string, username: string): PasswordProblem | undefined {
  const fail = (message: string): PasswordProblem => ({ field: 'password', message });
  const length = [...password].length;
  if (length < PASSWORD_MIN) return fail(`must be at least ${PASSWORD_MIN} characters`);
  if (length > PASSWORD_MAX) return fail(`must be at most ${PASSWORD_MAX} characters`);
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return fail('is one of the most commonly used passwords; choose another');
  if (username.length >= 3 && lower.includes(username.toLowerCase())) return fail('must not contain the username');
  if (new Set(password).size === 1) return fail('must not be one character repeated');
  return undefined;
}
