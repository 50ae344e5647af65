import { reportChartUrl } from '../api/client';
import type { ReportCell, ReportSummary } from '../api/types';
import { useI18n } from '../i18n';
import { formatDateTime } from '../shaping/format';
import { ageKey, conclusionOf, createdMs, explainKey, formatCell, isNumeric, titleOf } from '../shaping/reports';
import { CopyCommand } from './CopyCommand';

/** One result: title, when, the command that made it, its table, its chart and its conclusion. */
export function ReportCard({ report, now }: { report: ReportSummary; now: number }) {
  const { lang, t } = useI18n();
  const title = titleOf(report, lang);
  const created = createdMs(report);
  const age = created === null ? null : ageKey(created, now);
  const conclusion = conclusionOf(report, lang);
  return (
    <article className="card report-card" data-testid="report-card" data-kind={report.kind}>
      <header className="card-head">
        <div>
          <h2>{title}</h2>
          <div className="small muted report-meta">
            <span className="pill mono">{report.kind}</span>{' '}
            {created === null || age === null
              ? report.created_at
              : t('results.when', { when: formatDateTime(created, lang), age: t(age.key, { n: age.n }) })}
          </div>
        </div>
      </header>
      <details className="explain">
        <summary>{t('results.what')}</summary>
        <p>{t(explainKey(report.kind))}</p>
      </details>
      <div className={report.has_chart ? 'report-body' : 'report-body no-chart'}>
        <div className="report-main">
          {report.command ? <CopyCommand command={report.command} /> : null}
          <div className="scroll-x">
            <table className="table report-table" data-testid="report-table">
              <thead>
                <tr>
                  {report.table.columns.map((c, i) => (
                    <th key={`${i}:${c}`} className={i > 0 ? 'num' : undefined}>
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {report.table.rows.map((row, r) => (
                  <tr key={r}>
                    {row.map((cell, i) => (
                      <td key={i} className={cellClass(cell, i)}>
                        {formatCell(cell, lang).trim()}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {conclusion ? (
            <div className="report-conclusion" data-testid="report-conclusion">
              <strong>{t('results.conclusion')}</strong>
              <p>{conclusion}</p>
            </div>
          ) : null}
          {report.has_chart ? null : <p className="muted small">{t('results.noChart')}</p>}
        </div>
        {report.has_chart ? (
          <figure className="report-chart">
            <a href={reportChartUrl(report)} target="_blank" rel="noreferrer" title={t('results.openChart')}>
              <img src={reportChartUrl(report)} alt={t('results.chartAlt', { title })} loading="lazy" data-testid="report-chart" />
            </a>
          </figure>
        ) : null}
      </div>
    </article>
  );
}

/** Numbers right-aligned; a label the command indented ("  aborted in x") stays indented under its total. */
function cellClass(cell: ReportCell, column: number): string | undefined {
  if (isNumeric(cell)) return 'num';
  if (column > 0) return 'num text-cell';
  return typeof cell === 'string' && /^\s/.test(cell) ? 'indent' : undefined;
}
