// A store's directory record: its fields, their validation (the same zod
// shapes check an HTTP body and a replicated payload) and how a merged row
// reads back as a record, with defaults for fields not heard of yet.
import { nameText } from '../../lib/text.js';
import { z } from 'zod';
import { daysOfWeek, hoursProblems, isValidTimeZone, standardHours, type WeeklyHours } from '../../lib/hours.js';
import { lwwMapValue, type LwwMap } from '../../lib/merge.js';

const clock = z.string().regex(/^\d{2}:\d{2}$/, 'a time HH:MM');
const dailyHours = z.strictObject({ open: clock, close: clock }).nullable();

export const weeklyHoursSchema = z
  .strictObject(Object.fromEntries(daysOfWeek.map((d) => [d, dailyHours])) as Record<(typeof daysOfWeek)[number], typeof dailyHours>)
  .superRefine((hours, ctx) => {
    for (const p of hoursProblems(hours as WeeklyHours)) ctx.addIssue({ code: 'custom', path: p.path.split('.'), message: p.message });
  });

export const addressSchema = z.strictObject({
  street: nameText(200),
  city: nameText(100),
  state: z.string().trim().min(2).max(50),
  zip: z.string().trim().regex(/^[0-9A-Za-z -]{3,10}$/, 'a postal code'),
});

export const timeZoneSchema = z.string().refine(isValidTimeZone, 'an IANA time zone such as America/Denver');

/** Fields a manager sets: the store's profile. */
export const profileShape = {
  storeNumber: z.string().trim().min(1).max(40).nullable(),
  address: addressSchema.nullable(),
  phone: z.string().trim().regex(/^[0-9+() .-]{7,25}$/, 'a phone number').nullable(),
  email: z.email().max(200).nullable(),
  timeZone: timeZoneSchema,
  weeklyHours: weeklyHoursSchema,
  isOperational: z.boolean(),
  isAcceptingOrders: z.boolean(),
};

/** Fields a store's node publishes from its own configuration; a hub may set them for a store it registers. */
export const identityShape = {
  name: nameText(100),
  region: z.string().regex(/^[A-Z]$/, 'a region code such as C'),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  apiBaseUrl: z.url({ protocol: /^https?$/ }).max(300).nullable(),
};

/** Everything a store.set event may carry; each field optional (an event carries what it changes). */
export const storeFieldsSchema = z.strictObject({
  ...profileShape,
  ...identityShape,
  waitMinutes: z.number().int().min(0).max(24 * 60),
  updatedAt: z.string().max(40),
});

export type StoreFields = z.infer<typeof storeFieldsSchema>;
export const storeSetPayloadSchema = z.strictObject({
  storeId: z.string().regex(/^[\x21-\x7e]{1,128}$/),
  fields: storeFieldsSchema.partial(),
});
export type StoreSetPayload = z.infer<typeof storeSetPayloadSchema>;

export type StoreAddress = z.infer<typeof addressSchema>;

export interface StoreRecord {
  storeId: string;
  storeNumber: string | null;
  name: string;
  region: string;
  address: StoreAddress | null;
  phone: string | null;
  email: string | null;
  lat: number | null;
  lon: number | null;
  timeZone: string;
  weeklyHours: WeeklyHours;
  isOperational: boolean;
  isAcceptingOrders: boolean;
  apiBaseUrl: string | null;
  waitMinutes: number;
  updatedAt: string;
}

/** The wait estimate of domain notes §0: 2 minutes per order being made or waiting, never under 5. */
export const MIN_WAIT_MINUTES = 5;
export function waitMinutesFor(openOrders: number): number {
  return Math.max(MIN_WAIT_MINUTES, 2 * Math.max(0, Math.floor(openOrders)));
}

export function recordOf(storeId: string, fields: LwwMap, fallbackTimeZone: (region: string) => string): StoreRecord {
  const v = lwwMapValue(fields) as Partial<StoreFields>;
  const region = v.region ?? '';
  return {
    storeId,
    storeNumber: v.storeNumber ?? null,
    name: v.name ?? '',
    region,
    address: v.address ?? null,
    phone: v.phone ?? null,
    email: v.email ?? null,
    lat: v.lat ?? null,
    lon: v.lon ?? null,
    timeZone: v.timeZone ?? fallbackTimeZone(region),
    weeklyHours: (v.weeklyHours as WeeklyHours | undefined) ?? standardHours(),
    isOperational: v.isOperational ?? true,
    isAcceptingOrders: v.isAcceptingOrders ?? true,
    apiBaseUrl: v.apiBaseUrl ?? null,
    waitMinutes: v.waitMinutes ?? MIN_WAIT_MINUTES,
    updatedAt: v.updatedAt ?? '',
  };
}
