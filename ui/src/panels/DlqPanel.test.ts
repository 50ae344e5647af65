// The DLQ panel's replay: the request it sends, the dry-run preview and the result it shows.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../api/client';
import { translate } from '../i18n';
import { DlqPanel, postReplay, ReplayBox, ReplayMark, replayRequest, replaySummary, type ReplayReport, type ReplayState } from './DlqPanel';

const t = (k: string, v?: Record<string, string | number>) => translate('pt', k, v);
const tEn = (k: string, v?: Record<string, string | number>) => translate('en', k, v);

function report(over: Partial<ReplayReport> = {}, counts: Partial<ReplayReport['counts']> = {}): ReplayReport {
  return {
    replay_id: 'r-1',
    dry_run: true,
    selected: 5,
    published: 2,
    counts: { replay: 3, 'already-replayed': 1, 'still-invalid': 1, 'failed-again': 0, 'no-origin': 0, ...counts },
    by_reason: {},
    ...over,
  };
}

const box = (state: ReplayState) =>
  renderToStaticMarkup(createElement(ReplayBox, { state, t, onConfirm: () => undefined, onClose: () => undefined }));

describe('DLQ replay', () => {
  it('asks for a dry run with the chosen reason, or for everything', () => {
    expect(replayRequest('not-avro', true)).toEqual({ reason: 'not-avro', dry_run: true });
    expect(replayRequest('', false)).toEqual({ dry_run: false });
  });

  it('posts the body as JSON and returns the report', async () => {
    const calls: [string, RequestInit][] = [];
    const fake = (async (url: string, init: RequestInit) => {
      calls.push([url, init]);
      return new Response(JSON.stringify(report()), { status: 200 });
    }) as unknown as typeof fetch;
    const got = await postReplay({ reason: 'permanent-error', dry_run: true }, fake);
    expect(got.counts.replay).toBe(3);
    expect(calls.length).toBe(1);
    const [url, init] = calls[0] ?? ['', {}];
    expect(url).toBe('/api/dlq/replay');
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual({ reason: 'permanent-error', dry_run: true });
  });

  it("turns the API's error into an HttpError with its message", async () => {
    const fake = (async () => new Response(JSON.stringify({ error: 'um replay já está em andamento' }), { status: 409 })) as unknown as typeof fetch;
    const failure = await postReplay({ dry_run: false }, fake).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(HttpError);
    expect((failure as HttpError).status).toBe(409);
    expect((failure as HttpError).message).toBe('um replay já está em andamento');
  });

  it('summarises a preview, a result and an empty run in both languages', () => {
    expect(replaySummary(report(), t)).toEqual([
      'Simulação: 3 dead letters seriam reenviados (2 registros).',
      'Ignorados: 1 já reenviados · 1 ainda inválidos · 0 falharam de novo · 0 sem origem.',
    ]);
    expect(replaySummary(report({ dry_run: false }, { 'already-replayed': 0, 'still-invalid': 0 }), tEn)).toEqual([
      'Replay done: 3 dead letters replayed (2 records).',
    ]);
    expect(replaySummary(report({}, { replay: 0, 'already-replayed': 0, 'still-invalid': 0 }), t)).toEqual(['Nada a reenviar.']);
  });

  it('shows the preview with a confirm button only when something would be replayed', () => {
    const preview = box({ phase: 'preview', report: report() });
    expect(preview).toContain('data-testid="dlq-replay-preview"');
    expect(preview).toContain('data-testid="dlq-replay-confirm"');
    expect(preview).toContain('seriam reenviados');
    const nothing = box({ phase: 'preview', report: report({}, { replay: 0 }) });
    expect(nothing).not.toContain('dlq-replay-confirm');
  });

  it('shows the result, the progress and the error states', () => {
    const done = box({ phase: 'done', report: report({ dry_run: false }) });
    expect(done).toContain('data-testid="dlq-replay-result"');
    expect(done).toContain('Replay feito: 3 dead letters reenviados (2 registros).');
    expect(done).not.toContain('dlq-replay-confirm');
    expect(box({ phase: 'busy', dryRun: true })).toContain('Simulando o replay');
    expect(box({ phase: 'error', message: 'broker indisponível' })).toContain('O replay falhou: broker indisponível');
    expect(box({ phase: 'idle' })).toBe('');
  });

  it('marks replayed rows and replays that failed again', () => {
    const base = { topic: 'payments.dlq', partition: 0, offset: 7, order_id: 'o-1', reason: 'permanent-error', detail: '', processor: 'payment', origin: null, timestamp: 1 };
    const replayed = renderToStaticMarkup(
      createElement(ReplayMark, { row: { ...base, replayed: { copy: 'orders.new/3/99', replay_id: 'r', replayed_at: 'x' } }, t }),
    );
    expect(replayed).toContain('reenviado → orders.new/3/99');
    const again = renderToStaticMarkup(createElement(ReplayMark, { row: { ...base, replay_of: 'payments.dlq/0/2' }, t }));
    expect(again).toContain('falhou de novo (replay de payments.dlq/0/2)');
    expect(renderToStaticMarkup(createElement(ReplayMark, { row: base, t }))).toBe('');
  });

  it('renders the panel with the replay button and the reason filter', () => {
    const html = renderToStaticMarkup(createElement(DlqPanel));
    expect(html).toContain('data-testid="dlq-replay"');
    expect(html).toContain('Reprocessar (replay)');
    expect(html).toContain('data-testid="dlq-replay-reason"');
    expect(html).toContain('todos os motivos');
  });
});
