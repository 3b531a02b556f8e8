/**
 * A private CA made at test time with openssl: its certificate, and a server certificate for
 * 127.0.0.1 that it signed, for https stub backends KrakenD must not trust without the CA.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { skipNotice } from './conformance';

export interface PrivateCa {
  /** The folder holding `ca.crt`; removed by `remove`. */
  readonly dir: string;
  /** The CA's certificate, PEM, as a ConfigMap or Secret would hold it. */
  readonly caPem: string;
  readonly caFile: string;
  /** The server's certificate (SAN IP:127.0.0.1) and key, PEM. */
  readonly cert: string;
  readonly key: string;
  remove(): void;
}

/** The CA, or undefined after a visible skip (a failure under HANZO_REQUIRE_CONFORMANCE=1) when openssl is missing. */
export function makePrivateCa(): PrivateCa | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    skipNotice('openssl', 'not on PATH: apt-get install openssl');
    return undefined;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'private-ca-'));
  const at = (f: string) => path.join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Hanzo test CA', '-days', '2');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(at('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  const read = (f: string) => fs.readFileSync(at(f), 'utf8');
  return {
    dir,
    caPem: read('ca.crt'),
    caFile: at('ca.crt'),
    cert: read('server.crt'),
    key: read('server.key'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
