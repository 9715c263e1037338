/** Deterministic Brazilian lead data for tests and benchmarks. */

/** A valid CNPJ built from a number: 12 base digits + the two mod-11 check digits. */
export function cnpjFor(n: number): string {
  const base = String(n).padStart(8, '0').slice(-8) + '0001';
  const digits = base.split('').map(Number);
  const dv = (ds: number[], weights: number[]) => {
    const s = ds.reduce((acc, d, i) => acc + d * weights[i], 0) % 11;
    return s < 2 ? 0 : 11 - s;
  };
  const d1 = dv(digits, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const d2 = dv([...digits, d1], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return base + String(d1) + String(d2);
}

/** A Brazilian mobile for n: +55 11 9XXXX-XXXX written as people write it. */
export function mobileFor(n: number, ddd = '11'): string {
  const num = String(10_000_000 + (n % 90_000_000)).padStart(8, '0');
  return `(${ddd}) 9${num.slice(0, 4)}-${num.slice(4)}`;
}

/**
 * CSV lines (;-separated, with header) for leads from..to-1: even ones with a CNPJ, odd ones without;
 * each with a debt (Valor em aberto, Vencimento) for collection messages to state.
 */
export function leadsCsv(from: number, to: number): string {
  const lines = ['Empresa;Contato;CNPJ;Celular;Email;Valor em aberto;Vencimento'];
  for (let i = from; i < to; i++) {
    const doc = i % 2 === 0 ? cnpjFor(i) : '';
    const debt = `R$ ${100 + (i % 900)},${String(i % 100).padStart(2, '0')};10/11/2026`;
    lines.push(`Empresa Teste ${i} Ltda;Contato ${i};${doc};${mobileFor(i)};contato${i}@empresa${i}.com.br;${debt}`);
  }
  return lines.join('\n') + '\n';
}

/** The creditor e2e tests configure with set_outreach_policy (collection messages are blocked without one). */
export const CREDITOR_INPUT = {
  legal_name: 'Alquimista Cobranças Ltda',
  tax_id: '11.222.333/0001-81',
  address: 'Av. Paulista, 1000, São Paulo/SP',
  contact: '(11) 4000-1000',
};
