// a TCP port on 127.0.0.1 that was free a moment ago, outside the kernel's ephemeral range (runtime/util/free-port.ts)
export { freePort } from '../../runtime/util/free-port.js';
