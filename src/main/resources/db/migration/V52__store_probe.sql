-- One row the store's readiness check writes: a store that can be read but not written (a full disk) is not ready.
CREATE TABLE store_probe (
    id         INT PRIMARY KEY,
    probed_at  TIMESTAMP WITH TIME ZONE
);
INSERT INTO store_probe (id, probed_at) VALUES (1, NULL);
