import type { Logger } from '../../log/logger';
import type { CommandRunner } from './command';

export interface AttachResult {
  /** The loop device (e.g. /dev/loop3); '' when block devices are disabled. */
  devicePath: string;
  /** Absolute paths of the by-id links made for this attachment; [] when disabled. */
  links: string[];
}

/**
 * Backs simulated volumes, snapshots and backups with sparse files, and attached volumes with loop
 * devices plus the by-id links and virtio serial a real Nova/KVM guest would show.
 * Keys are opaque (e.g. `volume-<id>`, `snapshot-<id>`); operations on one key are serialised,
 * operations on different keys may run concurrently.
 */
export interface BlockBackend {
  /** True when attach makes real loop devices; false means files only. */
  readonly enabled: boolean;
  /** Why block devices are off (e.g. "not root"); undefined when enabled. */
  readonly disabledReason?: string;
  /** Where image files, the fake sysfs and (by default) the by-id directory live. */
  readonly workDir: string;
  /** Directory holding `virtio-<id[:20]>` (and optionally `scsi-0QEMU_QEMU_HARDDISK_<id[:20]>`) links. */
  readonly byIdDir: string;
  /** Fake sysfs root: `<sysfsRoot>/block/loopN/serial` holds the first 20 characters of the volume ID. */
  readonly sysfsRoot: string;

  /** Creates a sparse image of `sizeBytes` (a positive multiple of 512). Throws ImageExistsError if the key exists. */
  createImage(key: string, sizeBytes: number): Promise<void>;
  /**
   * Copies `sourceKey`'s data into a new image `targetKey` of `sizeBytes` (>= the source's size).
   * If the source is attached, writes made through its device are flushed first.
   */
  cloneImage(sourceKey: string, targetKey: string, sizeBytes: number): Promise<void>;
  /** Grows an image (never shrinks: InvalidSizeError); an attached device grows with it. */
  resizeImage(key: string, sizeBytes: number): Promise<void>;
  /** Binds the image to a loop device and makes its by-id links and serial; idempotent per key. */
  attach(key: string, volumeId: string): Promise<AttachResult>;
  /** Removes the links and serial this backend made and releases the loop device; no-op if not attached. */
  detach(key: string): Promise<void>;
  /** Detaches if needed and deletes the image file; no-op for an unknown key. */
  deleteImage(key: string): Promise<void>;
  /** Releases every loop device, link, file and directory this backend made. Idempotent. */
  close(): Promise<void>;
}

export interface BlockBackendOptions {
  /** undefined = auto (root, /dev/loop-control and losetup present); true = require loop devices (throws if unavailable); false = files only. */
  enabled?: boolean;
  /** Default: a fresh directory from fs.mkdtemp under os.tmpdir(), removed by close(). */
  workDir?: string;
  /** Default: `<workDir>/dev/disk/by-id`. */
  byIdDir?: string;
  /** Also make the `scsi-0QEMU_QEMU_HARDDISK_<id[:20]>` link (virtio-scsi guests). Default false. */
  scsiLinks?: boolean;
  logger?: Logger;
  /** Executes losetup/blockdev/cp; replaceable to exercise failure paths. */
  runCommand?: CommandRunner;
}
