import type { ReactNode } from 'react';
import { useT } from '../i18n';

/** The collapsible "O que estou vendo?" box every panel carries. */
export function Explain({ text }: { text: string }) {
  const t = useT();
  return (
    <details className="explain">
      <summary>{t('explain.toggle')}</summary>
      <p>{text}</p>
    </details>
  );
}

/** A panel section: title, teaching box, body. */
export function Section(props: { title: string; explain: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${props.className ?? ''}`}>
      <header className="card-head">
        <h2>{props.title}</h2>
        {props.actions ? <div className="card-actions">{props.actions}</div> : null}
      </header>
      <Explain text={props.explain} />
      {props.children}
    </section>
  );
}
