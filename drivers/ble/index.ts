// Public surface of the BLE driver.
export { BleDriver } from './ble-driver.js';
export { type BleDeviceConfig, type BleDriverOptions, NUS_RX_UUID, NUS_SERVICE_UUID, NUS_TX_UUID } from './options.js';
