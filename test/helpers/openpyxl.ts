import { execFileSync } from 'node:child_process';

/**
 * The python that has openpyxl (the second writer the XLSX tests check against). Tests that need it
 * must not skip silently: .ci/run installs python3-openpyxl. A pyenv shim named python3 may shadow the
 * Debian python that has the apt package, so /usr/bin/python3 is tried too.
 */
export function pythonWithOpenpyxl(): string {
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', 'import openpyxl'], { stdio: 'ignore' });
      return python;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'openpyxl is not installed: run `apt-get install -y python3-openpyxl` (these tests need it and do not skip).',
  );
}
