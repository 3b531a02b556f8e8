/**
 * The stream proxy's start command: it writes the pod's name servers as nginx's `resolver` line,
 * which the rendered nginx.conf includes, before nginx starts (nginx reads no /etc/resolv.conf).
 * The command's own script runs here under sh against a resolv.conf of the test's.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderedObjects } from '../support/krakend';

test('the sidecar writes the resolver line nginx.conf includes, then execs nginx in the foreground', () => {
  const objects = renderedObjects({ routes: [{ prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], streaming: true }] });
  const sidecar = objects
    .find((o) => o.kind === 'Deployment')!
    .spec.template.spec.containers.find((c: { name: string }) => c.name === 'stream-proxy');
  const [shell, flag, script] = sidecar.command as string[];
  expect([shell, flag]).toEqual(['/bin/sh', '-c']);
  const [write, start] = script.split(' && exec ');
  expect(start).toMatch(/^nginx -c \S+\/nginx\.conf -e stderr -g 'daemon off;'$/);
  expect(objects.find((o) => o.kind === 'ConfigMap')!.data['nginx.conf']).toContain('include /tmp/resolver.conf;');
  // WHEN the write runs against a resolv.conf with an IPv4 and an IPv6 name server
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resolver-'));
  fs.writeFileSync(path.join(dir, 'resolv.conf'), 'search hanzo.svc.cluster.local\nnameserver 10.96.0.10\nnameserver fd00::a\noptions ndots:5\n');
  execFileSync('/bin/sh', [
    '-c',
    write.replace('/etc/resolv.conf', path.join(dir, 'resolv.conf')).replace('> /tmp/resolver.conf', `> ${dir}/resolver.conf`),
  ]);
  // THEN nginx gets both, the IPv6 one in brackets
  expect(fs.readFileSync(path.join(dir, 'resolver.conf'), 'utf8')).toBe('resolver 10.96.0.10 [fd00::a] valid=10s;\n');
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the sidecar is hardened as KrakenD is: the pod's user and seccomp profile", () => {
  const objects = renderedObjects({
    routes: [{ prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], streaming: true }],
    pod: { securityContext: { runAsUser: 20001, seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/gateway.json' } } },
  });
  const [krakend, sidecar] = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers;
  expect(sidecar.securityContext).toEqual({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 20001,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/gateway.json' },
  });
  expect(sidecar.securityContext).toEqual(krakend.securityContext);
});

test('preStop asks nginx to quit and waits for the pid file nginx.conf names, in the mounted tmp volume', () => {
  const objects = renderedObjects({ routes: [{ prefix: '/v1/chat', backend: 'http://chat.hanzo.svc:80', methods: ['POST'], streaming: true }] });
  const sidecar = objects
    .find((o) => o.kind === 'Deployment')!
    .spec.template.spec.containers.find((c: { name: string }) => c.name === 'stream-proxy');
  const pid = /^pid (\S+);$/m.exec(objects.find((o) => o.kind === 'ConfigMap')!.data['nginx.conf'])![1];
  const [, , script] = sidecar.lifecycle.preStop.exec.command as string[];
  expect(script).toBe(`nginx -c /etc/nginx-stream/nginx.conf -e stderr -s quit; while [ -e ${pid} ]; do sleep 1; done`);
  const tmp = sidecar.volumeMounts.find((m: { name: string }) => m.name === 'nginx-tmp').mountPath;
  expect(pid.startsWith(`${tmp}/`)).toBe(true);
});
