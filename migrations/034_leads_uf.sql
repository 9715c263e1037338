-- The lead's UF (state) as the spreadsheet gave it (a "Cidade/UF", "UF" or "Estado" column). Null: the UF
-- comes from the first valid phone's DDD. The state decides the holidays and the collection hours
-- (src/core/policy/state-contact-rules.ts); the sheet's UF wins over the DDD's (a person keeps a phone
-- when moving; the address on the creditor's file is where the law of the contact applies).
ALTER TABLE leads ADD COLUMN uf char(2) CHECK (uf ~ '^[A-Z]{2}$');
