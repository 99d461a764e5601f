-- Tamper-evident audit: how, from where, before/after, and a hash chain. Rows written before this
-- migration are chained once at the next start (sealLegacyAuditRows in runtime/store/audit-chain.ts).
ALTER TABLE `audit` ADD `via` text DEFAULT 'system' NOT NULL;--> statement-breakpoint
ALTER TABLE `audit` ADD `address` text;--> statement-breakpoint
ALTER TABLE `audit` ADD `before` text;--> statement-breakpoint
ALTER TABLE `audit` ADD `after` text;--> statement-breakpoint
ALTER TABLE `audit` ADD `prev_hash` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `audit` ADD `hash` text DEFAULT '' NOT NULL;