import { describe, expect, it } from 'vitest';
import { HelpRequested, noDatabaseIn, parseCommand, UsageError } from './cli-args.js';
import { runCli } from './cli.js';

const OPTIONS = { port: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' } } as const;
const parse = (args: string[]) => parseCommand(args, OPTIONS);
const usageError = (args: string[]) => {
  try {
    parse(args);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  return 'no error';
};

describe('parseCommand', () => {
  it('reads values, inline values, switches and positionals; -- ends the options', () => {
    expect(parse(['f.json', '--port', '8470', '--data=./d', '--json'])).toEqual({
      positionals: ['f.json'],
      values: { port: '8470', data: './d', json: true },
    });
    expect(parse(['--', '--port', '-'])).toEqual({ positionals: ['--port', '-'], values: {} });
    expect(parse(['--port=', 'x']).values.port).toBe('');
  });

  it('takes a value that starts with one dash, but not an option as a value', () => {
    expect(parse(['--port', '-1']).values.port).toBe('-1');
    expect(usageError(['--port', '--json'])).toBe('--port needs a value');
    expect(usageError(['--data'])).toBe('--data needs a value');
  });

  it('names every unknown option at once, long or short', () => {
    expect(usageError(['--bogus', 'x', '--json', '--other=1', '-x'])).toBe('unknown option --bogus, --other, -x');
  });

  it('collects every value of a repeatable option, in order', () => {
    const repeated = { team: { type: 'string', multiple: true }, role: { type: 'string', multiple: true } } as const;
    expect(parseCommand(['--team', 'a', '--role', 'viewer', '--team=b', '--role', 'editor,approver'], repeated).values).toEqual({
      team: ['a', 'b'],
      role: ['viewer', 'editor,approver'],
    });
  });

  it('refuses a value for a switch', () => {
    expect(usageError(['--json=false'])).toBe('--json takes no value');
  });

  it('asks for the usage on -h or --help, whatever else is wrong', () => {
    expect(() => parse(['-h'])).toThrow(HelpRequested);
    expect(() => parse(['--bogus', '--help'])).toThrow(HelpRequested);
    expect(parse(['--', '-h']).positionals).toEqual(['-h']);
  });
});

describe('salve command line', () => {
  async function salve(argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, { log: (s) => lines.push(s), error: (s) => lines.push(s) });
    return { code, text: lines.join('\n') };
  }

  it('answers a usage mistake with exit code 2, the mistake and where to find the usage', async () => {
    expect(await salve(['validate', '--bogus', 'x'])).toEqual({ code: 2, text: 'salve: unknown option --bogus\nRun "salve help" for usage.' });
    expect(await salve(['doctor', '--data'])).toEqual({ code: 2, text: 'salve: --data needs a value\nRun "salve help" for usage.' });
    expect(await salve(['doctor', 'extra'])).toEqual({ code: 2, text: 'salve: unexpected argument extra\nRun "salve help" for usage.' });
    expect((await salve(['serve', '--port'])).code).toBe(2);
    expect((await salve(['export', '--all=yes'])).text).toContain('--all takes no value');
  });

  it('prints the usage for -h or --help on any command, and exits 0', async () => {
    for (const argv of [['validate', '-h'], ['serve', '--help'], ['export', '--all', '-h']]) {
      const r = await salve(argv);
      expect(r.code).toBe(0);
      expect(r.text).toMatch(/^salve — alert-driven auto-remediation\n\nUsage:/);
    }
  });
});

describe('commands that work on a data directory', () => {
  it('say, when there is no database file, that a PostgreSQL installation is managed through the API', () => {
    expect(noDatabaseIn('/srv/salve', {})).toBe("no Salve database in /srv/salve: pass --data (or set SALVE_DATA) to the server's data directory");
    const onPostgres = noDatabaseIn('/srv/salve', { SALVE_DATABASE_URL: 'postgres://salve:pw@db.internal/salve' });
    expect(onPostgres).toContain('with SALVE_DATABASE_URL (PostgreSQL) use the API or the editor');
    expect(onPostgres).not.toContain('pw@');
  });
});
