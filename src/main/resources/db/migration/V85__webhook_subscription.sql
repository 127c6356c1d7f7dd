-- The Attio webhooks the bundle made itself (attio.webhook.public-url): at most one 'current' and, during a rotation,
-- 'retiring' ones whose secret is still accepted until retire_at, when the webhook is deleted in Attio. A 'creating'
-- row marks a POST /v2/webhooks whose answer (and so its one-time secret) was lost: the next check deletes whatever
-- webhook to target_url it cannot account for before creating again. Secrets live only here, never in logs.
CREATE TABLE webhook_subscription (
    webhook_id  VARCHAR(64)  NOT NULL PRIMARY KEY,
    state       VARCHAR(10)  NOT NULL,
    target_url  VARCHAR(2048) NOT NULL,
    secret      VARCHAR(512),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    retire_at   TIMESTAMP WITH TIME ZONE
);
