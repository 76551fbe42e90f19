import { infraConfigSchema } from '../infra/config/infra-config.schema.js';

/**
 * The deployment the cost figures are for: the CDK app's defaults (infra/config/infra-config.schema.ts), so a
 * changed default changes the figures. Memory sizes here also label the local runtime's metered invocations.
 */
export const DEPLOYED = infraConfigSchema.parse({});

/** Memory of each function, in MB: the dispatcher and the SPM from the deployment's defaults. */
export const FUNCTION_MEMORY_MB = {
  dispatcher: DEPLOYED.dispatcher.memoryMb,
  spm: DEPLOYED.spm.memoryMb,
} as const;
