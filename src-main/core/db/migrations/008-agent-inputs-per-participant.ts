import type { Migration } from './migration'

/**
 * One data dir may run many agents (`dv2g agent swarm`), so what was posted is kept per
 * participant. Rows from before name no participant (''): they were the one agent's, and are
 * kept as they were. An agent with a meter (`dv2g agent --meter`) also posts what it delivered
 * in each slot, once.
 */
export const m008AgentInputsPerParticipant: Migration = {
  version: 8,
  name: 'agent inputs per participant, agent deliveries',
  up(db) {
    db.exec(`
      CREATE TABLE market_agent_inputs_new (
        run_id          TEXT NOT NULL,
        t               INTEGER NOT NULL,
        participant_id  TEXT NOT NULL,
        tx_id           TEXT NOT NULL CHECK (length(tx_id) = 64),
        posted_ms       INTEGER NOT NULL,
        PRIMARY KEY (run_id, t, participant_id)
      ) STRICT;
      INSERT INTO market_agent_inputs_new (run_id, t, participant_id, tx_id, posted_ms) SELECT run_id, t, '', tx_id, posted_ms FROM market_agent_inputs;
      DROP TABLE market_agent_inputs;
      ALTER TABLE market_agent_inputs_new RENAME TO market_agent_inputs;

      CREATE TABLE market_agent_deliveries (
        run_id          TEXT NOT NULL,
        t               INTEGER NOT NULL,
        participant_id  TEXT NOT NULL,
        tx_id           TEXT NOT NULL CHECK (length(tx_id) = 64),
        posted_ms       INTEGER NOT NULL,
        PRIMARY KEY (run_id, t, participant_id)
      ) STRICT;
    `)
  }
}
