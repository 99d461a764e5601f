/**
 * How an argv list becomes the one command string SSH carries. The server hands that string to
 * the user's login shell (`$SHELL -c …`), so every element is quoted for a POSIX shell: inside
 * single quotes nothing is special, and a `'` is written `'\''`. An alert value holding `;`,
 * `$(…)`, backticks or a newline arrives as one literal argument.
 */

/** Most bytes of the whole command string (sshd and the remote shell have their own limits). */
export const MAX_COMMAND_BYTES = 128 * 1024;

/**
 * Run before the command: keeps the channel's stdin on fd 3 for a background watcher and gives
 * the command /dev/null. When stdin ends — Salve closes it to stop the command, and the server
 * closes it when the session ends — the watcher KILLs the session's process group: the command,
 * whatever it started, and itself. The `signal` request alone is not enough: OpenSSH refuses it
 * for root logins (no privilege separation after login), and without a pty nothing else ends a
 * remote command when the connection closes.
 */
const KILL_ON_EOF = 'exec 3<&0 </dev/null; { read -r _ <&3; kill -s KILL 0; } >/dev/null 2>&1 & exec 3<&-;';

/** One argument quoted for a POSIX shell. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/**
 * The command string for `argv` (rendered), or why it cannot be sent: a NUL byte cannot pass
 * through a shell, and the whole string is bounded.
 */
export function remoteCommand(argv: readonly string[]): string | { problem: string } {
  const nul = argv.findIndex((arg) => arg.includes('\0'));
  if (nul !== -1) return { problem: `command[${nul}] holds a NUL byte, which no shell argument can carry` };
  if (argv[0]!.trim() === '') return { problem: 'command[0] (the program) is empty after rendering' };
  const line = `${KILL_ON_EOF} ${argv.map(shellQuote).join(' ')}`;
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes > MAX_COMMAND_BYTES) {
    return { problem: `the command is ${bytes} bytes once rendered and quoted; at most ${MAX_COMMAND_BYTES} are sent` };
  }
  return line;
}
