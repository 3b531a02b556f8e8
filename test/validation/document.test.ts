/**
 * The document around the spec: apiVersion, kind, spec present and an object,
 * metadata.name a DNS-1035 label of at most 63 characters, metadata.namespace a DNS-1123 label,
 * labels and annotations Kubernetes accepts. One good and one bad case per rule, via validateManifest.
 */
import { validateManifest } from '../../lib';
import { SEED_CR } from '../support/fixtures';

type Mutate = (cr: any) => void;

const RULES: Array<{ rule: string; good: Mutate; bad: Mutate; path: string; message: RegExp }> = [
  {
    rule: 'apiVersion is hanzo.ai/v1',
    good: () => {},
    bad: (cr) => (cr.apiVersion = 'hanzo.ai/v2'),
    path: 'apiVersion',
    message: /must be hanzo\.ai\/v1 \(got "hanzo\.ai\/v2"\)/,
  },
  { rule: 'kind is Gateway', good: () => {}, bad: (cr) => (cr.kind = 'gateway'), path: 'kind', message: /must be Gateway \(got "gateway"\)/ },
  { rule: 'spec is present', good: () => {}, bad: (cr) => delete cr.spec, path: 'spec', message: /is required/ },
  { rule: 'spec is an object', good: () => {}, bad: (cr) => (cr.spec = [cr.spec]), path: 'spec', message: /must be an object \(got list/ },
  { rule: 'metadata is present', good: () => {}, bad: (cr) => delete cr.metadata, path: 'metadata', message: /is required/ },
  {
    rule: 'name is a DNS-1035 label',
    good: (cr) => (cr.metadata.name = 'edge-2'),
    bad: (cr) => (cr.metadata.name = '2-edge'),
    path: 'metadata.name',
    message: /DNS-1035 label .*\(got "2-edge"\)/,
  },
  {
    rule: 'name is at most 63 characters',
    good: (cr) => (cr.metadata.name = 'g'.repeat(63)),
    bad: (cr) => (cr.metadata.name = 'g'.repeat(64)),
    path: 'metadata.name',
    message: /at most 63 characters/,
  },
  { rule: 'name is present', good: () => {}, bad: (cr) => delete cr.metadata.name, path: 'metadata.name', message: /\(got undefined\)/ },
  {
    rule: 'namespace is a DNS-1123 label',
    good: (cr) => (cr.metadata.namespace = '0-team'),
    bad: (cr) => (cr.metadata.namespace = 'team.prod'),
    path: 'metadata.namespace',
    message: /DNS-1123 label .*\(got "team\.prod"\)/,
  },
  { rule: 'an unknown top-level field is refused at its name', good: () => {}, bad: (cr) => (cr.sepc = {}), path: 'sepc', message: /unknown field/ },
  {
    rule: 'label keys are qualified names',
    good: (cr) => (cr.metadata.labels = { 'app.kubernetes.io/part-of': 'edge' }),
    bad: (cr) => (cr.metadata.labels = { 'part of': 'edge' }),
    path: 'metadata.labels["part of"]',
    message: /not a label key/,
  },
  {
    rule: 'label values are label values',
    good: (cr) => (cr.metadata.labels = { team: 'platform_1.x' }),
    bad: (cr) => (cr.metadata.labels = { team: 'platform team' }),
    path: 'metadata.labels.team',
    message: /not a label value \(got "platform team"\)/,
  },
  {
    rule: 'annotation keys are qualified names',
    good: (cr) => (cr.metadata.annotations = { 'example.com/owner': 'a b c' }),
    bad: (cr) => (cr.metadata.annotations = { 'example.com/': 'x' }),
    path: 'metadata.annotations["example.com/"]',
    message: /not an annotation key/,
  },
];

describe.each(RULES)('$rule', ({ good, bad, path, message }) => {
  const after = (mutate: Mutate) => {
    const cr = structuredClone(SEED_CR) as any;
    mutate(cr);
    return validateManifest(cr);
  };
  test('accepts the good case', () => {
    expect(after(good)).toEqual([]);
  });
  test('refuses the bad case with one problem at its path', () => {
    expect(after(bad)).toEqual([{ path, message: expect.stringMatching(message) }]);
  });
});
