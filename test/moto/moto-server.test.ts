import { describe, expect, it } from 'vitest';
import { MotoStartError, startMoto } from '../support/moto/moto-server.js';

describe('the moto launcher', () => {
  it('rejects with one line naming the interpreter and the install command when python3 cannot be run', async () => {
    const start = startMoto({ python: '/nonexistent/python3' });
    await expect(start).rejects.toThrow(MotoStartError);
    await expect(start).rejects.toThrow(/cannot run \/nonexistent\/python3 .*pip install "moto\[server\]==5\.2\.1"/);
  });

  it('answers on its loopback port, and stops answering once stopped', async () => {
    const moto = await startMoto();
    try {
      expect(moto.endpoint).toBe(`http://127.0.0.1:${moto.port}`);
      expect((await fetch(`${moto.endpoint}/moto-api/data.json`)).ok).toBe(true);
    } finally {
      await moto.stop();
    }
    await expect(fetch(`${moto.endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });
});
