/** The names of a gateway's objects, all derived from its name (no hashes: stable GitOps diffs). */
export function configMapName(name: string): string {
  return `${name}-config`;
}

export function tlsSecretName(name: string): string {
  return `${name}-tls`;
}
