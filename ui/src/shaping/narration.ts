// What one step of an order's story says, from the facts the gateway sends (event_type, payload, step_ms) and
// the one catalogue of sentences (locales/story.ts). A fact the event lacks reads "?", so an old event or a new
// field never breaks the sentence; an event type with no sentence reads as its name.
import type { TimelineEvent } from '../api/types';
import { isKey, translate, type Lang } from '../i18n';

type Step = Pick<TimelineEvent, 'event_type' | 'payload' | 'step_ms'>;

function facts(step: Step): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.payload ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[name] = String(value);
  }
  const items = step.payload?.items;
  if (Array.isArray(items)) values.items = String(items.length);
  values.ms = step.step_ms === null || step.step_ms === undefined ? '?' : String(step.step_ms);
  return values;
}

export function narrate(step: Step, lang: Lang): string {
  const key = `story.${step.event_type}`;
  if (!isKey(key)) return step.event_type;
  const values = facts(step);
  return translate(lang, key).replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? '?');
}
