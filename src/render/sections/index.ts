/**
 * Command-specific parts of the text output (inventory tables, stages, probe details, timelines,
 * discovery checks). Loaded lazily by the text renderer.
 */
import type { CommandName, Report } from '../../model/index.js';
import type { Style } from '../style.js';

export type Section = (report: Report, style: Style) => string;

export async function sectionsFor(command: CommandName): Promise<Section[]> {
  switch (command) {
    case 'inspect-cache':
      return [(await import('./store.js')).storeSection];
    case 'verify-token':
      return [(await import('./stages.js')).stagesSection, (await import('./store.js')).chainSection];
    case 'probe-github':
      return [(await import('./upstream.js')).upstreamSection];
    case 'github-audit':
      return [(await import('./idp.js')).idpSection];
    case 'diagnose':
      return [(await import('./client.js')).sessionSection, (await import('./stages.js')).stagesSection, (await import('./store.js')).storeSummarySection, (await import('./upstream.js')).upstreamSection, (await import('./idp.js')).idpSection];
    case 'demo':
      return [(await import('./demo.js')).demoSection, ...(await sectionsFor('diagnose'))];
    case 'clients':
      return [(await import('./client.js')).clientsSection];
    case 'check':
      return [(await import('./discovery.js')).discoverySection, (await import('./stages.js')).stagesSection];
  }
}
