-- The seed's dry-run audit table, column for column, plus what groups a batch (lote_id) and when a
-- deferred send would go (disparo_previsto_para). created_at stays TIMESTAMP as in the seed.
CREATE TABLE dry_run_log (
  log_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL,
  lead_id UUID,
  lead_nome VARCHAR(500),
  lead_telefone VARCHAR(50),
  lead_email VARCHAR(255),

  canal_decidido VARCHAR(20) CHECK (canal_decidido IN ('whatsapp', 'email', 'calendar', 'none')), -- 'whatsapp' | 'email' | 'calendar'
  motivo_decisao TEXT,
  template_selecionado VARCHAR(100),

  disparo_seria_executado BOOLEAN DEFAULT TRUE,
  razao_bloqueio TEXT,

  created_at TIMESTAMP DEFAULT NOW(),

  lote_id UUID,
  codigo_bloqueio VARCHAR(40),
  disparo_previsto_para TIMESTAMPTZ,
  mensagem_renderizada TEXT
);

CREATE INDEX idx_dry_run_tenant ON dry_run_log(tenant_id, created_at);
CREATE INDEX idx_dry_run_canal ON dry_run_log(canal_decidido);
CREATE INDEX idx_dry_run_lote ON dry_run_log(lote_id) WHERE lote_id IS NOT NULL;
