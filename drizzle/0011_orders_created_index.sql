-- orders_store_created_idx without its trailing order id: with it, a
-- checkout plan made while orders was small found orders by id by walking
-- this index whole (settling a batch: 255 blocks per order at 4,000 orders).
-- Store listings sort the rare tie on created_at after the index.
DROP INDEX "orders_store_created_idx";--> statement-breakpoint
CREATE INDEX "orders_store_created_idx" ON "orders" USING btree ("store_id","created_at");