/** The devices API (contract/devices.ts): where devices connect, and the broker's device accounts. */
import type {
  BrokerView,
  CreatedDeviceAccount,
  DeviceAccountRequest,
  DeviceAccountView,
} from '../../contract/devices';
import { jsonBody, requestJson, requestVoid } from './api-client';

export function fetchBroker(): Promise<BrokerView> {
  return requestJson('/api/broker');
}

export function fetchDevices(): Promise<DeviceAccountView[]> {
  return requestJson('/api/devices');
}

export function createDevice(request: DeviceAccountRequest): Promise<CreatedDeviceAccount> {
  return requestJson('/api/devices', jsonBody('POST', request));
}

export function revokeDevice(username: string): Promise<void> {
  return requestVoid(`/api/devices/${encodeURIComponent(username)}`, { method: 'DELETE' });
}
