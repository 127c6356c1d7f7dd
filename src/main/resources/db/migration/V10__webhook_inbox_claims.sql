-- Webhook inbox consumer: a claimed row carries when it was claimed (a crashed or stopped claim is taken over after
-- the lease), and a retried row when it may be tried again (exponential back-off).
ALTER TABLE webhook_inbox ADD COLUMN claimed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE webhook_inbox ADD COLUMN next_attempt_at TIMESTAMP WITH TIME ZONE;
-- Dead letters listed newest first by the API.
CREATE INDEX dead_letter_created ON dead_letter (created_at);
