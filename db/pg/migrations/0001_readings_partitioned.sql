-- Written by hand (drizzle-kit cannot say PARTITION BY): `readings` as db/schema.ts defines it, range-
-- partitioned by measurement time into weeks, so that retention drops whole partitions instead of
-- deleting rows, and a window's read touches one or two partitions. The primary key holds the
-- partition key, as PostgreSQL requires; it is the SQLite key (reactor, signal, ts).
CREATE TABLE "readings" (
	"reactor_id" text NOT NULL,
	"signal" text NOT NULL,
	"ts_ms" bigint NOT NULL,
	"value" double precision NOT NULL,
	"received_at_ms" bigint NOT NULL,
	CONSTRAINT "readings_reactor_id_signal_ts_ms_pk" PRIMARY KEY("reactor_id","signal","ts_ms")
) PARTITION BY RANGE ("ts_ms");
--> statement-breakpoint
ALTER TABLE "readings" ADD CONSTRAINT "readings_reactor_id_reactors_id_fk" FOREIGN KEY ("reactor_id") REFERENCES "public"."reactors"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- The week's partition that holds `at_ms`, made if missing (ingesters call it before writing a week
-- they have not seen; the lock makes two at once safe). Named readings_<first ms of the week>.
CREATE FUNCTION "readings_partition_for"(at_ms bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	width constant bigint := 604800000;
	start_ms bigint := floor(at_ms::numeric / width)::bigint * width;
	part text := 'readings_' || start_ms;
BEGIN
	IF to_regclass(part) IS NULL THEN
		PERFORM pg_advisory_xact_lock(hashtext('readings_partition_for'));
		IF to_regclass(part) IS NULL THEN
			EXECUTE format('CREATE TABLE %I PARTITION OF "readings" FOR VALUES FROM (%s) TO (%s)',
				part, start_ms, start_ms + width);
		END IF;
	END IF;
	RETURN part;
END $$;
