/**
 * Test certificates made with openssl: a CA (ca.pem), a server certificate for
 * collector.test and 127.0.0.1 (server.pem/key), and a client certificate (client.pem/key).
 */
import { execFileSync } from 'node:child_process'

/** A CA, a server certificate for collector.test and 127.0.0.1, and a client certificate. */
export function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=tfo-test-ca',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  )
  for (const [name, ext] of [
    ['server', 'subjectAltName=DNS:collector.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    ssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
    )
    execFileSync('sh', ['-c', `printf '%b' "${ext.replace(/\n/g, '\\n')}" > ${name}.ext`], { cwd: dir })
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    )
  }
}
