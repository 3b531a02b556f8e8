// Checks of how a route translates its backend's answer: `encoding`, `outputEncoding`, `isCollection`.
// KrakenD starts with any pairing of them, so the pairings that answer nothing useful are refused here:
// lura's renders read fixed keys of the decoded answer (router/gin/render.go), and a key the decoder
// never writes gives an empty body with a 200.
import { show } from '../grammar/values';
import { resolveRouteEncoding } from '../resolve';
import { BACKEND_ENCODINGS, OUTPUT_ENCODINGS } from '../spec';
import { Checker } from './checker';

// The decoders that can hold a collection under `collection` (lura encoding/encoding.go,
// JSONCollectionDecoder and SafeJSONDecoder; krakend-xml xml.go, CollectionDecoder).
const COLLECTION_DECODERS = ['json', 'xml'];

/** A route's `encoding`, `outputEncoding` and `isCollection`, and the fields a translating route makes moot. */
export function checkRouteEncoding(c: Checker, p: string, r: Record<string, unknown>): void {
  if (r.encoding !== undefined) c.enumValue(`${p}.encoding`, r.encoding, BACKEND_ENCODINGS);
  if (r.outputEncoding !== undefined) c.enumValue(`${p}.outputEncoding`, r.outputEncoding, OUTPUT_ENCODINGS);
  if (r.isCollection !== undefined) c.boolean(`${p}.isCollection`, r.isCollection);
  // A composed route decodes (json unless it names an encoding); its no-op is refused in composition.ts.
  const given = r.encoding ?? (r.backends !== undefined ? resolveRouteEncoding({ backends: [] }) : undefined);
  const encoding = typeof given === 'string' && BACKEND_ENCODINGS.includes(given as never) ? given : undefined;
  const output = typeof r.outputEncoding === 'string' ? r.outputEncoding : undefined;
  const collection = r.isCollection === true;
  if (encoding === undefined && r.encoding !== undefined) return; // already reported
  if (r.backends !== undefined && encoding === 'no-op') return; // refused in composition.ts

  if (encoding === undefined || encoding === 'no-op') {
    // A pass-through route answers what the backend sent; there is nothing to encode or unwrap.
    if (r.outputEncoding !== undefined)
      c.add(`${p}.outputEncoding`, `needs an encoding to decode the backend's answer (got ${show(r.outputEncoding)}) — set encoding, e.g. json`);
    if (collection) c.add(`${p}.isCollection`, "needs encoding json or xml to read the backend's answer as a collection");
    return;
  }
  // A composed route's collections and output are checked per backend (composition.ts).
  if (r.backends === undefined) checkTranslation(c, p, encoding, output, collection);
  if (r.removeResponseHeaders !== undefined) {
    c.add(
      `${p}.removeResponseHeaders`,
      `has no effect on a route with encoding ${encoding}: KrakenD answers it with none of the backend's headers — remove it`,
    );
  }
}

function checkTranslation(c: Checker, p: string, encoding: string, output: string | undefined, collection: boolean): void {
  if (collection && !COLLECTION_DECODERS.includes(encoding)) {
    c.add(
      `${p}.isCollection`,
      `has no effect with encoding ${encoding} (only json and xml read a collection) — ` +
        (encoding === 'safejson' ? 'remove it: safejson reads an array as a collection by itself' : 'remove it'),
    );
  }
  if (output === 'string' && encoding !== 'string') {
    c.add(
      `${p}.outputEncoding`,
      `string answers the text a string backend reads, so with encoding ${encoding} every answer would be empty — ` +
        'use encoding string, or another outputEncoding',
    );
  }
  if (output === 'json-collection' && !collection && encoding !== 'safejson') {
    c.add(
      `${p}.outputEncoding`,
      `json-collection answers the array a collection holds, which encoding ${encoding} reads only with isCollection — ` +
        'set isCollection: true, or use encoding safejson',
    );
  }
}
