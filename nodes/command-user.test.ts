import { describe, expect, it } from 'vitest';
import { argvAsUser, canSwitchUsers, CommandUserError, parsePasswdLine, resolveCommandUser } from './command-user.js';

const ROOT_STATUS = 'Name:\tnode\nCapEff:\t000001ffffffffff\n';
const CAPLESS_STATUS = 'Name:\tnode\nCapEff:\t0000000000000000\n';
const fake = { procStatus: () => ROOT_STATUS, passwd: (n: string) => (n === 'deploy' ? 'deploy:x:1001:1001:Deploy:/home/deploy:/bin/sh\n' : undefined), groups: () => '1001 27 998\n', setpriv: () => '/usr/bin/setpriv' };

describe('canSwitchUsers', () => {
  it('needs CAP_SETUID, CAP_SETGID and CAP_KILL in the effective set', () => {
    expect(canSwitchUsers(ROOT_STATUS)).toBe(true);
    expect(canSwitchUsers(CAPLESS_STATUS)).toBe(false);
    expect(canSwitchUsers('CapEff:\t00000000000000c0\n')).toBe(false); // setuid+setgid, no kill
    expect(canSwitchUsers('CapEff:\t00000000000000e0\n')).toBe(true);
  });
});

describe('parsePasswdLine', () => {
  it('reads name, uid, gid and home', () => {
    expect(parsePasswdLine('nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin')).toEqual({ name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' });
    expect(parsePasswdLine('broken:x::1:a:/h:/s')).toBeUndefined();
    expect(parsePasswdLine('')).toBeUndefined();
  });
});

describe('resolveCommandUser', () => {
  it('resolves the user with all of their groups', () => {
    expect(resolveCommandUser('deploy', fake)).toMatchObject({ name: 'deploy', uid: 1001, gid: 1001, groups: [1001, 27, 998], home: '/home/deploy' });
  });

  it('refuses clearly: unknown user, root, no privilege to switch, not Linux', () => {
    expect(() => resolveCommandUser('ghost', fake)).toThrow('SALVE_COMMAND_USER=ghost: no such user');
    expect(() => resolveCommandUser('root', { ...fake, passwd: () => 'root:x:0:0:root:/root:/bin/sh' })).toThrow(/that is root/);
    expect(() => resolveCommandUser('deploy', { ...fake, procStatus: () => CAPLESS_STATUS })).toThrow(
      /SALVE_COMMAND_USER=deploy: Salve cannot switch users: .*Run Salve as root/,
    );
    expect(() => resolveCommandUser('deploy', { ...fake, platform: 'darwin' })).toThrow(/Linux only/);
    expect(() => resolveCommandUser('deploy', { ...fake, setpriv: () => undefined })).toThrow(/setpriv \(util-linux\) is needed/);
    expect(() => resolveCommandUser('ghost', fake)).toThrow(CommandUserError);
  });

  it('on this machine: resolves nobody when Salve could switch users, else refuses', () => {
    if (process.getuid?.() === 0) {
      const user = resolveCommandUser('nobody');
      expect(user.uid).toBeGreaterThan(0);
      expect(user.groups).toContain(user.gid);
      expect(() => resolveCommandUser('salve-no-such-user-x')).toThrow('SALVE_COMMAND_USER=salve-no-such-user-x: no such user');
    } else {
      expect(() => resolveCommandUser('nobody')).toThrow(/Salve cannot switch users/);
    }
  });
});

describe('argvAsUser', () => {
  it('runs the argv through setpriv with the uid, gid and every group, and no inherited capabilities', () => {
    const user = resolveCommandUser('deploy', fake);
    expect(argvAsUser(user, ['id', '-u'])).toEqual(['/usr/bin/setpriv', '--reuid=1001', '--regid=1001', '--groups=1001,27,998', '--inh-caps=-all', '--', 'id', '-u']);
  });
});
