export * from './mounter';
export * from './errors';
export { createCommandExecutor, runChecked } from './exec';
export type { CommandExecutor, CommandResult, RunOptions } from './exec';
export { createMounter, deviceNumberString } from './real-mounter';
export type { RealMounterOptions } from './real-mounter';
export { parseFindmntJson, parseLsblkSize, parseBlkidExport, interpretProbe, FINDMNT_COLUMNS } from './parse';
export { findExecutable, missingFilesystemToolsReason, missingToolsReason, packageHint, FILESYSTEM_TOOLS, TOOL_PACKAGES } from './host-tools';
export type { ToolLookupOptions } from './host-tools';
