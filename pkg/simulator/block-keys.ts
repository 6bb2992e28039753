/** Names of the backend images behind simulated resources, and the unit sizes are given in. */
export type { BlockBackend as SimBlockBackend } from './devices';

export { GiB } from '../units/bytes';

export const volumeKey = (id: string): string => `volume-${id}`;
export const snapshotKey = (id: string): string => `snapshot-${id}`;
export const backupKey = (id: string): string => `backup-${id}`;
