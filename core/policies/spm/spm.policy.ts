import type { Policy } from '../policy.js';

// Placeholder replaced by the SPM implementation in this session; it must not land as is.
export const spmPolicy: Policy<Record<string, never>> = {
  name: 'spm',
  label: 'spm (Foreshadow shadow partition manager)',
  initialState: () => ({}),
  decide: (_view, _config, state) => ({ actions: [], events: [], nextState: state }),
};
