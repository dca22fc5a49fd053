// Entry point of the page: mqtt.js's browser build (served from the gateway's own node_modules) and the view.

import { mount } from './dashboard-view.js';
import mqtt from './vendor/mqtt.esm.js';

mount(mqtt);
