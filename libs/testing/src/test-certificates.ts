import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files written by `writeTestCertificates`, all in its directory. */
export interface TestCertificates {
  /** The CA's certificate (PEM): what clients trust. */
  caFile: string;
  /** The server's certificate (PEM), signed by the CA, for 127.0.0.1 and localhost. */
  certFile: string;
  /** The server's private key (PEM, PKCS#8, unencrypted). */
  keyFile: string;
}

/**
 * A CA of a test's own and a server certificate it signed for 127.0.0.1 and localhost (openssl, EC
 * P-256, valid 2 days), for servers a test runs with TLS: private PostgreSQL and Kafka servers.
 */
export async function writeTestCertificates(dir: string, serverName: string): Promise<TestCertificates> {
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir, timeout: 60_000 });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...key,
    '-days',
    '2',
    '-subj',
    `/CN=${serverName} test CA`,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  await openssl(['req', ...key, '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  ]);
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}

/** A PEM file's text, for concatenating key and certificates into one keystore. */
export const readPem = (file: string) => readFile(file, 'utf8');
