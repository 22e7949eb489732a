// The VRRP engine's public surface for the runner (daemon/cli) and the stats view.
export { type AdvertAddressing, buildAdvert } from './advert.js';
export {
  advertIntervalMs,
  decodeVrrp,
  encodeVrrp,
  passwordAuthData,
  VRRP_AUTH,
  VRRP_PROTOCOL,
  type VrrpAdvert,
  type VrrpDecodeResult,
  type VrrpRejectReason,
} from './codec.js';
export { buildIpv4Packet, parseIpv4Packet, VRRP_TTL } from './ipv4.js';
export { kaLog } from './log-strings.js';
export {
  checkAdvert,
  DROP_REASONS,
  type DropReason,
  type ReceiveCheckConfig,
  type ReceivedDatagram,
} from './receive-check.js';
export {
  type ScriptOutcome,
  type ScriptRecord,
  VrrpScriptTracker,
} from './script-tracker.js';
export { ignoredWeightMessages, instanceSettings, type SettingsContext } from './settings.js';
export { masterDownIntervalMs, skewTimeMs, VrrpInstance } from './state-machine.js';
export { effectsOf, type SyncGroupEffect, VrrpSyncGroup } from './sync-group.js';
export {
  clampedStatus,
  readTrackFileValue,
  TRACK_FILE_FAULT,
  TRACK_FILE_READ_BYTES,
  type TrackFileRead,
  trackFileStatus,
} from './track-file.js';
export type {
  TimerKind,
  TrackedFile,
  TrackedSource,
  VrrpCounters,
  VrrpEffect,
  VrrpEvent,
  VrrpInstanceSettings,
  VrrpSnapshot,
  VrrpState,
  VrrpTransitionRecord,
} from './types.js';
