/**
 * Runs one verify command in its own Node process, as the CLI does, for tests that need the
 * real `@kubernetes/client-node` (ESM-only, which Jest's module registry cannot load on Node 20).
 * Usage: node --import tsx run-command.ts verify|rotation-test '<options JSON>'
 */
import { rotationTestCommand, verifyCommand } from '../../verify/command';

async function run(): Promise<number> {
  const [which, json] = process.argv.slice(2);
  const io = { stdout: (s: string) => void process.stdout.write(s), stderr: (s: string) => void process.stderr.write(s) };
  const opts = JSON.parse(json ?? '{}');
  return which === 'rotation-test' ? rotationTestCommand(opts, io) : verifyCommand(opts, io);
}

run().then((code) => {
  process.exitCode = code;
});
