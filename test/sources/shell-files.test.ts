import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { envrcDirs, histfileKind, shellFiles } from '../../src/sources/shell-files.js';
import { tempDir, writeFiles } from '../helpers.js';

const listed = (home: string, files: ReturnType<typeof shellFiles>) => files.map((f) => `${f.kind} ${path.relative(home, f.abs)}`);

describe('shell files', () => {
  it('lists the histories and profiles that exist in a fake HOME, histories first', () => {
    const home = tempDir('outloop-shell-');
    writeFiles(home, {
      '.bash_history': 'ls\n',
      '.zsh_history': ': 1700000000:0;ls\n',
      '.local/share/fish/fish_history': '- cmd: ls\n  when: 1700000000\n',
      '.local/share/fish/fish_variables': 'SETUVAR x:1\n',
      '.local/share/powershell/PSReadLine/ConsoleHost_history.txt': 'ls\n',
      '.bashrc': 'alias l=ls\n',
      '.profile': 'PATH=$PATH\n',
      '.zshrc': 'setopt extended_history\n',
      '.config/fish/config.fish': 'set -x EDITOR vi\n',
      'notes.txt': 'not a shell file\n',
    });
    assert.deepEqual(listed(home, shellFiles({ HOME: home }, { cwd: home, platform: 'linux' })), [
      'bash-history .bash_history',
      'zsh-history .zsh_history',
      'fish-history .local/share/fish/fish_history',
      'powershell-history .local/share/powershell/PSReadLine/ConsoleHost_history.txt',
      'profile .bashrc',
      'profile .profile',
      'profile .zshrc',
      'profile .config/fish/config.fish',
    ]);
  });

  it('lists nothing for an empty HOME', () => {
    const home = tempDir('outloop-shell-empty-');
    assert.deepEqual(shellFiles({ HOME: home }, { cwd: home, platform: 'linux' }), []);
  });

  it('honours HISTFILE, ZDOTDIR, XDG_DATA_HOME and XDG_CONFIG_HOME', () => {
    const home = tempDir('outloop-shell-env-');
    writeFiles(home, {
      'hist/mine': 'ls\n',
      'zdot/.zsh_history': ': 1700000000:0;ls\n',
      'zdot/.zshrc': 'export EDITOR=vi\n',
      'data/fish/work_history': '- cmd: ls\n',
      'conf/fish/config.fish': 'set -x EDITOR vi\n',
      // The defaults these variables replace are not read.
      '.local/share/fish/fish_history': '- cmd: ls\n',
    });
    const env = { HOME: home, HISTFILE: path.join(home, 'hist/mine'), SHELL: '/usr/bin/zsh', ZDOTDIR: path.join(home, 'zdot'), XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'conf') };
    assert.deepEqual(listed(home, shellFiles(env, { cwd: home, platform: 'linux' })), [
      'zsh-history hist/mine',
      'zsh-history zdot/.zsh_history',
      'fish-history data/fish/work_history',
      'profile zdot/.zshrc',
      'profile conf/fish/config.fish',
    ]);
  });

  it('lists a file once when HISTFILE names a default or a profile is a symlink to another', () => {
    const home = tempDir('outloop-shell-dup-');
    writeFiles(home, { '.bash_history': 'ls\n', '.bashrc': 'alias l=ls\n' });
    fs.symlinkSync('.bashrc', path.join(home, '.bash_profile'));
    assert.deepEqual(listed(home, shellFiles({ HOME: home, HISTFILE: '~/.bash_history' }, { cwd: home, platform: 'linux' })), ['bash-history .bash_history', 'profile .bashrc']);
  });

  it('finds .envrc in the cwd and its ancestors up to HOME, not above it', () => {
    const top = tempDir('outloop-shell-envrc-');
    const home = path.join(top, 'home');
    writeFiles(top, {
      '.envrc': 'export ABOVE_HOME=1\n',
      'home/.envrc': 'export AT_HOME=1\n',
      'home/proj/.envrc': 'export IN_PROJECT=1\n',
      'home/proj/sub/file.txt': 'x\n',
      'home/other/.envrc': 'export SIBLING=1\n',
    });
    assert.deepEqual(listed(home, shellFiles({ HOME: home }, { cwd: path.join(home, 'proj', 'sub'), platform: 'linux' })), ['profile proj/.envrc', 'profile .envrc']);
  });

  it('walks .envrc folders to the root when the cwd is outside HOME', () => {
    assert.deepEqual(envrcDirs('/srv/app/sub', '/home/u'), ['/srv/app/sub', '/srv/app', '/srv', '/']);
    assert.deepEqual(envrcDirs('/home/u/app', '/home/u'), ['/home/u/app', '/home/u']);
    assert.deepEqual(envrcDirs('/home/user2/app', '/home/u'), ['/home/user2/app', '/home/user2', '/home', '/'], 'a sibling sharing a prefix is not inside HOME');
  });

  it('tells which shell a HISTFILE belongs to', () => {
    assert.equal(histfileKind('/h/.zsh_history', undefined), 'zsh-history');
    assert.equal(histfileKind('/h/.histfile', '/bin/bash'), 'zsh-history');
    assert.equal(histfileKind('/h/.bash_history', '/bin/zsh'), 'bash-history');
    assert.equal(histfileKind('/h/mine', '/bin/zsh'), 'zsh-history');
    assert.equal(histfileKind('/h/mine', '/bin/bash'), 'bash-history');
    assert.equal(histfileKind('/h/mine', undefined), 'bash-history');
  });
});
