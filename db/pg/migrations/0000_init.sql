CREATE TABLE "alarm_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"alarm_id" bigint NOT NULL,
	"reactor_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"at_ms" bigint NOT NULL,
	"evidence_at_ms" bigint,
	"severity" text NOT NULL,
	"summary" text NOT NULL,
	"values_json" text NOT NULL,
	"active" boolean NOT NULL,
	"acknowledged" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alarms" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"reactor_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"rule_name" text NOT NULL,
	"rule_kind" text NOT NULL,
	"severity" text NOT NULL,
	"active" boolean NOT NULL,
	"acknowledged" boolean NOT NULL,
	"fired_at_ms" bigint NOT NULL,
	"evidence_fired_at_ms" bigint,
	"cleared_at_ms" bigint,
	"cleared_by" text,
	"acknowledged_at_ms" bigint,
	"acknowledged_by" text,
	"last_evidence_at_ms" bigint,
	"summary" text NOT NULL,
	"values_json" text NOT NULL,
	"fire_count" bigint NOT NULL,
	"updated_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"definition_json" text NOT NULL,
	"source" text NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"token_sha256" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"created_by" text NOT NULL,
	"last_used_at_ms" bigint,
	"revoked_at_ms" bigint,
	CONSTRAINT "api_tokens_token_sha256_unique" UNIQUE("token_sha256")
);
--> statement-breakpoint
CREATE TABLE "assimilator_chains" (
	"reactor_id" text PRIMARY KEY NOT NULL,
	"settings_key" text NOT NULL,
	"state_json" text NOT NULL,
	"fitted_up_to_h" double precision NOT NULL,
	"readings_seen_rowid" bigint,
	"last_fit_id" bigint,
	"updated_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "estimator_settings" (
	"id" bigint PRIMARY KEY NOT NULL,
	"settings_json" text NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fit_combinations" (
	"fit_id" bigint NOT NULL,
	"rank" bigint NOT NULL,
	"label" text NOT NULL,
	"exponents_json" text NOT NULL,
	"value" double precision NOT NULL,
	"sd_log" double precision NOT NULL,
	"sd_log_data" double precision NOT NULL,
	CONSTRAINT "fit_combinations_fit_id_rank_pk" PRIMARY KEY("fit_id","rank")
);
--> statement-breakpoint
CREATE TABLE "fit_composition" (
	"fit_id" bigint NOT NULL,
	"quantity" text NOT NULL,
	"value" double precision NOT NULL,
	"sd" double precision NOT NULL,
	CONSTRAINT "fit_composition_fit_id_quantity_pk" PRIMARY KEY("fit_id","quantity")
);
--> statement-breakpoint
CREATE TABLE "fit_documents" (
	"fit_id" bigint PRIMARY KEY NOT NULL,
	"trajectory_json" text,
	"forecast_json" text,
	"residuals_json" text,
	"window_file_json" text
);
--> statement-breakpoint
CREATE TABLE "fit_parameters" (
	"fit_id" bigint NOT NULL,
	"name" text NOT NULL,
	"value" double precision NOT NULL,
	"free" boolean NOT NULL,
	"sd_log" double precision,
	"sd_log_data" double precision,
	"lower95" double precision,
	"upper95" double precision,
	"determined" boolean,
	CONSTRAINT "fit_parameters_fit_id_name_pk" PRIMARY KEY("fit_id","name")
);
--> statement-breakpoint
CREATE TABLE "fits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"reactor_id" text NOT NULL,
	"window_start_ms" bigint NOT NULL,
	"window_end_ms" bigint NOT NULL,
	"window_start_h" double precision NOT NULL,
	"window_end_h" double precision NOT NULL,
	"fitted_at_ms" bigint NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"detail" text,
	"refit" boolean NOT NULL,
	"cold_start" boolean NOT NULL,
	"loss" double precision,
	"iterations" bigint NOT NULL,
	"duration_ms" double precision NOT NULL,
	"residual_summary_json" text,
	CONSTRAINT "fits_failure_has_reason" CHECK ("status" = 'ok' OR "reason" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "reactor_clocks" (
	"reactor_id" text PRIMARY KEY NOT NULL,
	"arrivals" bigint NOT NULL,
	"newest_online_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "reactors" (
	"id" text PRIMARY KEY NOT NULL,
	"first_seen_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reading_arrivals" (
	"reactor_id" text NOT NULL,
	"arrival" bigint NOT NULL,
	"oldest_ts_ms" bigint NOT NULL,
	CONSTRAINT "reading_arrivals_reactor_id_arrival_pk" PRIMARY KEY("reactor_id","arrival")
);
--> statement-breakpoint
CREATE TABLE "reading_rollups" (
	"reactor_id" text NOT NULL,
	"signal" text NOT NULL,
	"bucket_width_ms" bigint NOT NULL,
	"bucket_start_ms" bigint NOT NULL,
	"count" bigint NOT NULL,
	"value_sum" double precision NOT NULL,
	"value_min" double precision NOT NULL,
	"value_max" double precision NOT NULL,
	CONSTRAINT "reading_rollups_reactor_id_signal_bucket_width_ms_bucket_start_ms_pk" PRIMARY KEY("reactor_id","signal","bucket_width_ms","bucket_start_ms"),
	CONSTRAINT "reading_rollups_count_positive" CHECK ("count" > 0)
);
--> statement-breakpoint
CREATE TABLE "rejected_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at_ms" bigint NOT NULL,
	"topic" text NOT NULL,
	"payload_excerpt" text NOT NULL,
	"payload_bytes" bigint NOT NULL,
	"reason" text NOT NULL,
	"detail" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rejection_counts" (
	"reason" text PRIMARY KEY NOT NULL,
	"count" bigint NOT NULL,
	"last_rejected_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id_sha256" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"expires_at_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "socket_io_attachments" (
	"id" bigserial NOT NULL,
	"created_at" timestamp with time zone DEFAULT now(),
	"payload" "bytea",
	CONSTRAINT "socket_io_attachments_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"username" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"must_change_password" boolean NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"last_login_at_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"outbox_id" bigint NOT NULL,
	"endpoint_id" bigint NOT NULL,
	"attempt" bigint NOT NULL,
	"started_at_ms" bigint NOT NULL,
	"duration_ms" double precision NOT NULL,
	"http_status" bigint,
	"outcome" text NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"severities_json" text NOT NULL,
	"enabled" boolean NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"updated_at_ms" bigint NOT NULL,
	"deleted_at_ms" bigint
);
--> statement-breakpoint
CREATE TABLE "webhook_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"endpoint_id" bigint NOT NULL,
	"alarm_event_id" bigint NOT NULL,
	"idempotency_key" text NOT NULL,
	"body_json" text NOT NULL,
	"created_at_ms" bigint NOT NULL,
	"state" text NOT NULL,
	"attempts" bigint NOT NULL,
	"next_attempt_at_ms" bigint NOT NULL,
	"last_error" text,
	"delivered_at_ms" bigint
);
--> statement-breakpoint
ALTER TABLE "alarm_events" ADD CONSTRAINT "alarm_events_alarm_id_alarms_id_fk" FOREIGN KEY ("alarm_id") REFERENCES "public"."alarms"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assimilator_chains" ADD CONSTRAINT "assimilator_chains_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fit_combinations" ADD CONSTRAINT "fit_combinations_fit_id_fits_id_fk" FOREIGN KEY ("fit_id") REFERENCES "public"."fits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fit_composition" ADD CONSTRAINT "fit_composition_fit_id_fits_id_fk" FOREIGN KEY ("fit_id") REFERENCES "public"."fits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fit_documents" ADD CONSTRAINT "fit_documents_fit_id_fits_id_fk" FOREIGN KEY ("fit_id") REFERENCES "public"."fits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fit_parameters" ADD CONSTRAINT "fit_parameters_fit_id_fits_id_fk" FOREIGN KEY ("fit_id") REFERENCES "public"."fits"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fits" ADD CONSTRAINT "fits_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reactor_clocks" ADD CONSTRAINT "reactor_clocks_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_arrivals" ADD CONSTRAINT "reading_arrivals_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reading_rollups" ADD CONSTRAINT "reading_rollups_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_username_users_username_fk" FOREIGN KEY ("username") REFERENCES "public"."users"("username") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_outbox_id_webhook_outbox_id_fk" FOREIGN KEY ("outbox_id") REFERENCES "public"."webhook_outbox"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_outbox" ADD CONSTRAINT "webhook_outbox_endpoint_id_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."webhook_endpoints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_outbox" ADD CONSTRAINT "webhook_outbox_alarm_event_id_alarm_events_id_fk" FOREIGN KEY ("alarm_event_id") REFERENCES "public"."alarm_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alarm_events_at" ON "alarm_events" USING btree ("at_ms");--> statement-breakpoint
CREATE INDEX "alarm_events_alarm" ON "alarm_events" USING btree ("alarm_id");--> statement-breakpoint
CREATE UNIQUE INDEX "alarms_reactor_rule" ON "alarms" USING btree ("reactor_id","rule_id");--> statement-breakpoint
CREATE INDEX "alarms_active" ON "alarms" USING btree ("active");--> statement-breakpoint
CREATE INDEX "fits_reactor_window_end" ON "fits" USING btree ("reactor_id","window_end_ms");--> statement-breakpoint
CREATE INDEX "fits_reactor_status" ON "fits" USING btree ("reactor_id","status");--> statement-breakpoint
CREATE INDEX "sessions_username" ON "sessions" USING btree ("username");--> statement-breakpoint
CREATE INDEX "sessions_expires" ON "sessions" USING btree ("expires_at_ms");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_outbox" ON "webhook_deliveries" USING btree ("outbox_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_endpoint_started" ON "webhook_deliveries" USING btree ("endpoint_id","started_at_ms");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_outbox_idempotency_key" ON "webhook_outbox" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_outbox_endpoint_event" ON "webhook_outbox" USING btree ("endpoint_id","alarm_event_id");--> statement-breakpoint
CREATE INDEX "webhook_outbox_endpoint_state" ON "webhook_outbox" USING btree ("endpoint_id","state","id");--> statement-breakpoint
CREATE INDEX "webhook_outbox_alarm_event" ON "webhook_outbox" USING btree ("alarm_event_id");