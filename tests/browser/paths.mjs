// Paths shared by the tests that need no server.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '..', '..');
export const REPO_WEB = resolve(REPO, 'web');
