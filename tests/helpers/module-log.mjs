// Preloaded with `--import` (through NODE_OPTIONS) into a child process: registers module-log-hooks.mjs, which
// appends the URL of every ES module the process loads (and of each CommonJS package entry an ES module imports) to
// the file named by $AGENTOS_MODULE_LOG. Plain JavaScript: it runs before tsx is registered.
import { register } from 'node:module';

const file = process.env.AGENTOS_MODULE_LOG;
if (!file) throw new Error('module-log.mjs: set AGENTOS_MODULE_LOG to the file to append module URLs to');
register('./module-log-hooks.mjs', import.meta.url, { data: { file } });
