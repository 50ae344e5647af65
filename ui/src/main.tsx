import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { I18nProvider, loadLang } from './i18n';
import './styles.css';

document.documentElement.lang = loadLang(localStorage) === 'pt' ? 'pt-BR' : 'en';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
);
