// Placeholder so the CDK app can bundle while the handler is written this session; must not land as is.
export const handler = async (): Promise<never> => {
  throw new Error('dispatcher handler not implemented yet');
};
