// Every generated doc file, path (from the repository root) -> contents. The API methods come from a gateway that is
// constructed but never started (constructors do no I/O), so methods other components register appear too.
import { pino } from 'pino';
import { renderProtocolDoc, renderSchemaFiles } from './bus/protocol-doc.js';
import { renderConfigDoc } from './config/config-doc.js';
import { validateConfig } from './config/load.js';
import { Gateway } from './gateway.js';

export function renderDocs(): Record<string, string> {
  const config = validateConfig({ gateway: { id: 'gw-docs' }, store: { dataDir: './data' } }, 'docs');
  const gateway = new Gateway(config, { logger: pino({ level: 'silent' }) });
  const files: Record<string, string> = {
    'docs/PROTOCOL.md': renderProtocolDoc(gateway.context.api.describe()),
    'docs/CONFIG.md': renderConfigDoc(),
  };
  for (const [name, text] of Object.entries(renderSchemaFiles())) files[`docs/schemas/${name}`] = text;
  return files;
}
