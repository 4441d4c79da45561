/**
 * Subscriptions (clause 5.8) and the durable notification outbox.
 *
 * A subscription is kept whole as its `Subscription` model (`doc`); the columns beside it are what matching and
 * scheduling select on: the entity types its selectors name (GIN, so that a write looks only at subscriptions
 * that can concern its entities, whatever their number), whether it selects any type, its watched attributes,
 * and the notifier's bookkeeping (clause 5.2.14 timesSent… and the throttling, cooldown and period clocks).
 *
 * An entity write inserts one outbox row per matching subscription in its own transaction: a notification
 * exists exactly when the change does. Workers of any process claim due rows with FOR UPDATE SKIP LOCKED and
 * hold them with a lease; a row whose lease ran out (its worker died) is claimed again: at-least-once delivery.
 * A row given up on moves to notification_dead_letters.
 */
export const subscriptions = `
CREATE TABLE subscriptions (
  tenant text COLLATE "C" NOT NULL REFERENCES tenants (name),
  id text COLLATE "C" NOT NULL,
  doc jsonb NOT NULL,
  any_type boolean NOT NULL,
  types text[] NOT NULL,
  watched text[],
  active boolean NOT NULL,
  expires_at timestamptz,
  time_interval double precision,
  throttling double precision,
  endpoint text NOT NULL,
  next_run_at timestamptz,
  throttled_until timestamptz,
  blocked_until timestamptz,
  times_sent bigint NOT NULL DEFAULT 0,
  times_failed bigint NOT NULL DEFAULT 0,
  dead_letters bigint NOT NULL DEFAULT 0,
  last_notification timestamptz,
  last_success timestamptz,
  last_failure timestamptz,
  last_failure_reason text,
  notification_status text,
  PRIMARY KEY (tenant, id)
);
-- Change matching: subscriptions naming one of the written types, and those selecting any type.
CREATE INDEX subscriptions_types ON subscriptions USING gin (types) WHERE active AND time_interval IS NULL;
CREATE INDEX subscriptions_any_type ON subscriptions (tenant) WHERE any_type AND active AND time_interval IS NULL;
-- The periodic scheduler.
CREATE INDEX subscriptions_next_run ON subscriptions (next_run_at) WHERE time_interval IS NOT NULL AND active;

CREATE TABLE notification_outbox (
  id bigserial PRIMARY KEY,
  tenant text COLLATE "C" NOT NULL,
  subscription_id text COLLATE "C" NOT NULL,
  reason text NOT NULL,
  changes jsonb,
  endpoint text NOT NULL,
  due_at timestamptz NOT NULL,
  lease_until timestamptz,
  leased_by text,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  FOREIGN KEY (tenant, subscription_id) REFERENCES subscriptions (tenant, id) ON DELETE CASCADE
);
CREATE INDEX notification_outbox_due ON notification_outbox (due_at, id);
CREATE INDEX notification_outbox_subscription ON notification_outbox (tenant, subscription_id);

CREATE TABLE notification_dead_letters (
  id bigint PRIMARY KEY,
  tenant text COLLATE "C" NOT NULL,
  subscription_id text COLLATE "C" NOT NULL,
  reason text NOT NULL,
  changes jsonb,
  endpoint text NOT NULL,
  attempts integer NOT NULL,
  created_at timestamptz NOT NULL,
  failed_at timestamptz NOT NULL,
  failure text NOT NULL,
  FOREIGN KEY (tenant, subscription_id) REFERENCES subscriptions (tenant, id) ON DELETE CASCADE
);
CREATE INDEX notification_dead_letters_subscription ON notification_dead_letters (tenant, subscription_id);
`;
