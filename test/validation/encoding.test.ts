/**
 * The translation fields of a route (encoding, outputEncoding, isCollection): each pairing that would
 * answer nothing useful is refused at its path with the fix, the good pairings pass, and what they
 * render is KrakenD's own keys, written out here.
 */
import { renderKrakendConfig, validateSpec } from '../../lib';

const problems = (fields: Record<string, unknown>) =>
  validateSpec({ routes: [{ prefix: '/v1/legacy', backend: 'http://legacy.hanzo.svc:8080', ...fields }] }).map((p) => `${p.path}: ${p.message}`);

describe('good translations pass', () => {
  test.each<Record<string, unknown>>([
    { encoding: 'no-op' },
    { encoding: 'json' },
    { encoding: 'xml', outputEncoding: 'json' },
    { encoding: 'rss', outputEncoding: 'negotiate' },
    { encoding: 'json', isCollection: true, outputEncoding: 'json-collection' },
    { encoding: 'xml', isCollection: true, outputEncoding: 'json-collection' },
    { encoding: 'safejson', outputEncoding: 'json-collection' },
    { encoding: 'string', outputEncoding: 'string' },
    { encoding: 'string', outputEncoding: 'yaml' },
    { encoding: 'json', isCollection: false },
    { encoding: 'no-op', isCollection: false },
  ])('%j', (fields) => {
    expect(problems(fields)).toEqual([]);
  });
});

describe('bad translations are refused at their path with the fix', () => {
  test.each<[string, Record<string, unknown>, string]>([
    [
      'an unknown encoding',
      { encoding: 'protobuf' },
      'spec.routes[0].encoding: must be one of no-op, json, safejson, xml, rss, string (got "protobuf")',
    ],
    [
      'an unknown output encoding',
      { encoding: 'json', outputEncoding: 'fast-json' },
      'spec.routes[0].outputEncoding: must be one of json, json-collection, xml, yaml, string, negotiate (got "fast-json")',
    ],
    [
      'isCollection not a boolean',
      { encoding: 'json', isCollection: 'yes' },
      'spec.routes[0].isCollection: must be true or false (got string "yes")',
    ],
    [
      'an output encoding on a pass-through route',
      { outputEncoding: 'xml' },
      'spec.routes[0].outputEncoding: needs an encoding to decode the backend\'s answer (got "xml") — set encoding, e.g. json',
    ],
    [
      'an output encoding with encoding no-op',
      { encoding: 'no-op', outputEncoding: 'json' },
      'spec.routes[0].outputEncoding: needs an encoding to decode the backend\'s answer (got "json") — set encoding, e.g. json',
    ],
    [
      'a collection on a pass-through route',
      { isCollection: true },
      "spec.routes[0].isCollection: needs encoding json or xml to read the backend's answer as a collection",
    ],
    [
      'a collection with safejson',
      { encoding: 'safejson', isCollection: true },
      'spec.routes[0].isCollection: has no effect with encoding safejson (only json and xml read a collection) — ' +
        'remove it: safejson reads an array as a collection by itself',
    ],
    [
      'a collection with rss',
      { encoding: 'rss', isCollection: true },
      'spec.routes[0].isCollection: has no effect with encoding rss (only json and xml read a collection) — remove it',
    ],
    [
      'string output of a JSON backend',
      { encoding: 'json', outputEncoding: 'string' },
      'spec.routes[0].outputEncoding: string answers the text a string backend reads, so with encoding json every answer would be empty — ' +
        'use encoding string, or another outputEncoding',
    ],
    [
      'json-collection without a collection',
      { encoding: 'xml', outputEncoding: 'json-collection' },
      'spec.routes[0].outputEncoding: json-collection answers the array a collection holds, which encoding xml reads only with isCollection — ' +
        'set isCollection: true, or use encoding safejson',
    ],
    [
      'removeResponseHeaders on a translating route',
      { encoding: 'json', removeResponseHeaders: ['Server'] },
      'spec.routes[0].removeResponseHeaders: has no effect on a route with encoding json: ' +
        "KrakenD answers it with none of the backend's headers — remove it",
    ],
  ])('%s', (_what, fields, expected) => {
    expect(problems(fields)).toEqual([expected]);
  });

  test('an unknown encoding reports only itself, not the pairings it cannot be judged in', () => {
    expect(problems({ encoding: 'protobuf', outputEncoding: 'string', isCollection: true })).toEqual([
      'spec.routes[0].encoding: must be one of no-op, json, safejson, xml, rss, string (got "protobuf")',
    ]);
  });
});

describe('what a translating route renders', () => {
  const endpoints = (fields: Record<string, unknown>) =>
    renderKrakendConfig({ routes: [{ prefix: '/v1/legacy', backend: 'http://legacy.hanzo.svc:8080', exact: true, ...fields }] }).endpoints;

  test('the endpoint writes output_encoding, the backend encoding and the status handler that keeps error codes', () => {
    expect(endpoints({ encoding: 'xml' })).toEqual([
      {
        endpoint: '/v1/legacy',
        output_encoding: 'json',
        input_headers: ['Accept', 'Authorization', 'Content-Type'],
        input_query_strings: ['*'],
        backend: [
          {
            host: ['http://legacy.hanzo.svc:8080'],
            url_pattern: '/v1/legacy',
            encoding: 'xml',
            extra_config: { 'backend/http': { return_error_code: true } },
          },
        ],
      },
    ]);
  });

  test('a collection writes is_collection; the output encoding as given', () => {
    const [e] = endpoints({ encoding: 'json', isCollection: true, outputEncoding: 'json-collection' });
    expect([e.output_encoding, e.backend[0].encoding, e.backend[0].is_collection]).toEqual(['json-collection', 'json', true]);
  });

  test('a pass-through route writes none of them, spelt no-op or left out', () => {
    for (const fields of [{}, { encoding: 'no-op' }, { encoding: 'no-op', isCollection: false }]) {
      const [e] = endpoints(fields);
      expect([e.output_encoding, e.backend[0].encoding, e.backend[0].is_collection, e.backend[0].extra_config]).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    }
  });

  test('the status handler sits beside the martian block of a backend outside the cluster', () => {
    const [e] = renderKrakendConfig({
      routes: [{ prefix: '/v1/legacy', backend: 'https://legacy.example.com', exact: true, encoding: 'json' }],
    }).endpoints;
    expect(Object.keys(e.backend[0].extra_config ?? {})).toEqual(['modifier/martian', 'backend/http']);
  });
});
