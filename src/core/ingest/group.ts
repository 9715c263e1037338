import type { NormalizedRow } from './normalize-row.js';

/**
 * Groups the rows of one chunk that are the same lead, by the dedup rules:
 *  - the same valid document → same lead;
 *  - without a valid document, the same name key with a shared phone (E.164) or e-mail → same lead,
 *    transitively (A~B by phone, B~C by e-mail: one lead), and a row with no document and no contact
 *    joins the rows with the same name and nothing else;
 *  - a row without a document may join a document's group, but two different valid documents never
 *    end up in one group, whatever rows bridge them.
 * Returns, per row, the group id: the smallest seq in the group (so the first row seen represents it).
 * Union-find in memory: a chunk is a few thousand rows.
 */
export function groupRows(rows: ReadonlyArray<NormalizedRow & { seq: number }>): number[] {
  const parent = rows.map((_, i) => i);
  const doc: Array<string | null> = rows.map((r) => (r.documento_valido ? r.documento : null));
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    if (doc[ra] && doc[rb] && doc[ra] !== doc[rb]) return;
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    parent[child] = root;
    doc[root] ??= doc[child];
  };

  const firstByKey = new Map<string, number>();
  const link = (key: string, i: number) => {
    const first = firstByKey.get(key);
    if (first === undefined) firstByKey.set(key, i);
    else union(first, i);
  };
  rows.forEach((r, i) => {
    if (r.documento_valido && r.documento) link(`d:${r.documento}`, i);
  });
  rows.forEach((r, i) => {
    // A document row offers its contacts to rows without a document, but is never merged through them
    // with another document: union() refuses that.
    const hasContact = r.telefones.some((t) => t.numero_e164) || r.emails.some((e) => e.email_normalizado);
    if (!r.documento_valido && !hasContact) link(`n:${r.nome_chave}`, i);
    for (const t of r.telefones) if (t.numero_e164) link(`p:${r.nome_chave}|${t.numero_e164}`, i);
    for (const e of r.emails) if (e.email_normalizado) link(`e:${r.nome_chave}|${e.email_normalizado}`, i);
  });

  const minSeq = new Map<number, number>();
  rows.forEach((r, i) => {
    const root = find(i);
    const m = minSeq.get(root);
    if (m === undefined || r.seq < m) minSeq.set(root, r.seq);
  });
  return rows.map((_, i) => minSeq.get(find(i))!);
}
