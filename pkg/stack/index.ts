export { startStack, STACK_CLUSTER_ID, type Stack, type StackLeftovers, type StackOptions } from './stack';
export { startPluginProcess, defaultPluginCommand, PLUGIN_MAIN, type PluginProcess, type PluginProcessOptions } from './plugin-process';
export { NodeVolume, type NodeVolumeOptions } from './node-volume';
export { runLifecycle, describeLeftovers, type LifecycleOptions } from './lifecycle';
export { StepRunner, StepFailed, StepSkipped, describeError, grpcCodeName, type StepRecord, type StepStatus, type StepObserver } from './steps';
export { writeData, readDataChecksum, verifyData, visibleSizeBytes, type WrittenData } from './data';
export { VOLUME_KINDS, isVolumeKind, volumeCapability, GiB, type VolumeKind } from './volume-kind';
export { mountsUnder, unmountAllUnder, loopDevicesUnder, detachLoopDevicesUnder, filesUnder } from './host-state';
export { REPO_ROOT } from './paths';
