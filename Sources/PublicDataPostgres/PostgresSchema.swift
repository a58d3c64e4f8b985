#if PostgreSQL
import Foundation
import PublicDataModel

/// The tables and function the PostgreSQL store owns, as versioned migrations.
///
/// Every object lives in one PostgreSQL schema (default `publicdata`), so several stores can share a
/// database. ``PostgresEventStore`` applies the missing migrations when it starts, inside one transaction
/// that holds an advisory lock on the schema's name, so service instances starting together do not race;
/// a database whose recorded version is higher than ``latestVersion`` is refused with
/// `EventStoreError.Code.schemaTooNew` before anything is changed. Each applied migration is recorded in
/// `<schema>.schema_migrations`; running the migrations again changes nothing.
///
/// Operators who prefer to apply the SQL themselves (for example with a separate owner role) can print it:
///
/// ```swift
/// for migration in try PostgresSchema.migrations(schema: "publicdata") { print(migration.sql) }
/// ```
public enum PostgresSchema {
    /// One schema migration.
    public struct Migration: Sendable, Hashable {
        /// The version the schema has after this migration (1, 2, 3, …).
        public var version: Int
        /// What the migration does.
        public var summary: String
        /// The SQL, with the schema name filled in.
        public var sql: String
    }

    /// The schema version this library writes and reads.
    public static let latestVersion = 6

    /// The default schema name.
    public static let defaultSchema = "publicdata"

    /// Checks a schema name: lowercase ASCII letters, digits and `_`, starting with a letter or `_`,
    /// at most 48 characters (so that derived names such as the notification channel stay within
    /// PostgreSQL's 63-byte identifier limit).
    /// - Parameter name: The proposed schema name.
    /// - Returns: The name, safe to use unquoted in SQL.
    /// - Throws: `EventStoreError` with code `invalidArgument`.
    public static func validateSchemaName(_ name: String) throws(EventStoreError) -> String {
        let bytes = Array(name.utf8)
        let valid =
            !bytes.isEmpty && bytes.count <= 48
            && bytes.enumerated().allSatisfy { index, byte in
                (byte >= 97 && byte <= 122) || byte == 95 || (index > 0 && byte >= 48 && byte <= 57)
            }
        guard valid else {
            throw EventStoreError(
                code: .invalidArgument,
                message:
                    "invalid schema name \"\(name)\": use 1-48 lowercase letters, digits or _, not starting with a digit"
            )
        }
        return name
    }

    /// The `LISTEN`/`NOTIFY` channel on which appends announce their last position.
    /// - Parameter schema: A valid schema name.
    /// - Returns: `<schema>_events`.
    public static func notificationChannel(schema: String) -> String { schema + "_events" }

    /// The migrations, oldest first, with the schema name filled in.
    /// - Parameter schema: The schema that holds the store.
    /// - Returns: One entry per version up to ``latestVersion``.
    /// - Throws: `EventStoreError` `invalidArgument` for an invalid schema name.
    public static func migrations(schema: String) throws(EventStoreError) -> [Migration] {
        let name = try validateSchemaName(schema)
        let channel = notificationChannel(schema: name)
        return [
            Migration(
                version: 1,
                summary: "events, log head, cursors and the append function",
                sql: version1.replacingOccurrences(of: "{schema}", with: name)
                    .replacingOccurrences(of: "{channel}", with: channel)
            ),
            Migration(
                version: 2,
                summary: "positions handed out by the holder of the head row; contended appends commit in parallel",
                sql: version2.replacingOccurrences(of: "{schema}", with: name)
                    .replacingOccurrences(of: "{channel}", with: channel)
            ),
            Migration(
                version: 3,
                summary: "leaner append; unpositioned batches commit without their own flush; positioning waiters poll",
                sql: version3.replacingOccurrences(of: "{schema}", with: name)
                    .replacingOccurrences(of: "{channel}", with: channel)
            ),
            Migration(
                version: 4,
                summary: "group commit: several batches in one call; a batch's waiting events stay together",
                sql: version4.replacingOccurrences(of: "{schema}", with: name)
                    .replacingOccurrences(of: "{channel}", with: channel)
            ),
            Migration(
                version: 5,
                summary: "a group waits for the head row: one round trip and one write per event under load",
                sql: version5.replacingOccurrences(of: "{schema}", with: name)
                    .replacingOccurrences(of: "{channel}", with: channel)
            ),
            Migration(
                version: 6,
                summary: "a group of one-event batches is checked in one statement and stored in one",
                sql: version6.replacingOccurrences(of: "{schema}", with: name)
                    .replacingOccurrences(of: "{channel}", with: channel)
            ),
        ]
    }

    /// The bookkeeping table, created before the first migration.
    static func bookkeeping(schema: String) -> String {
        """
        CREATE SCHEMA IF NOT EXISTS \(schema);
        CREATE TABLE IF NOT EXISTS \(schema).schema_migrations (
            version integer PRIMARY KEY,
            summary text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """
    }

    private static let version1 = """
        CREATE TABLE {schema}.events (
            global_position bigint PRIMARY KEY CHECK (global_position > 0),
            event_id text NOT NULL,
            stream_id text NOT NULL,
            stream_version bigint NOT NULL CHECK (stream_version > 0),
            event_type text NOT NULL,
            occurred_at_ms bigint NOT NULL,
            actor_party text,
            actor_role text,
            actor_person text,
            payload bytea NOT NULL,
            correlation_id text,
            causation_id text,
            policy_version text,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT events_actor_check CHECK (
                (actor_party IS NULL) = (actor_role IS NULL) AND (actor_role IS NULL) = (actor_person IS NULL)
            ),
            CONSTRAINT events_event_id_key UNIQUE (event_id),
            CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
        );

        -- One row: the last position handed out. Appends lock it until they commit (the ordering guarantee).
        CREATE TABLE {schema}.log_head (
            id integer PRIMARY KEY CHECK (id = 1),
            last_position bigint NOT NULL
        );
        INSERT INTO {schema}.log_head (id, last_position) VALUES (1, 0);

        CREATE TABLE {schema}.cursors (
            name text PRIMARY KEY,
            cursor_position bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );

        -- Appends one batch atomically. Outcomes: appended (r_version = new stream version, r_position = last
        -- position), deduplicated (the whole batch was stored before), conflict (r_version = actual version),
        -- duplicate (r_detail = an event id stored elsewhere).
        CREATE FUNCTION {schema}.append_events(
            p_stream text, p_expected bigint, p_ids text[], p_types text[], p_occurred bigint[],
            p_actor_parties text[], p_actor_roles text[], p_actor_persons text[], p_payloads bytea[],
            p_correlations text[], p_causations text[], p_policies text[], p_notify boolean
        ) RETURNS TABLE (r_outcome text, r_version bigint, r_position bigint, r_detail text)
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        -- Every lookup below has an index; never let a stale row estimate (a young table, a cached generic plan)
        -- turn the id check into a scan of the whole log.
        SET enable_seqscan = off
        AS $append$
        DECLARE
            v_count bigint := coalesce(cardinality(p_ids), 0);
            v_head bigint;
            v_current bigint;
            v_found bigint;
            v_first bigint;
            v_in_order bigint;
        BEGIN
            -- The ordering guarantee: the head row stays locked until this transaction ends, so positions are
            -- handed out one transaction at a time and become visible in position order.
            SELECT h.last_position INTO v_head FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE;
            IF v_head IS NULL THEN
                RAISE EXCEPTION 'publicdata: {schema}.log_head has no row' USING ERRCODE = 'XX001';
            END IF;

            -- Idempotency first: a retried batch is answered from what is stored.
            SELECT count(*) INTO v_found FROM {schema}.events AS e WHERE e.event_id = ANY (p_ids);
            IF v_found > 0 THEN
                SELECT e.stream_version INTO v_first
                  FROM {schema}.events AS e WHERE e.event_id = p_ids[1] AND e.stream_id = p_stream;
                SELECT count(*) INTO v_in_order
                  FROM unnest(p_ids) WITH ORDINALITY AS b(id, ord)
                  JOIN {schema}.events AS e ON e.event_id = b.id
                 WHERE e.stream_id = p_stream AND e.stream_version = v_first + b.ord - 1;
                IF v_found = v_count AND v_in_order = v_count THEN
                    RETURN QUERY SELECT 'deduplicated'::text, v_first + v_count - 1, NULL::bigint, NULL::text;
                ELSE
                    RETURN QUERY SELECT 'duplicate'::text, NULL::bigint, NULL::bigint,
                        (SELECT e.event_id FROM {schema}.events AS e WHERE e.event_id = ANY (p_ids) LIMIT 1);
                END IF;
                RETURN;
            END IF;

            SELECT coalesce(max(e.stream_version), 0) INTO v_current
              FROM {schema}.events AS e WHERE e.stream_id = p_stream;
            IF p_expected IS NOT NULL AND p_expected <> v_current THEN
                RETURN QUERY SELECT 'conflict'::text, v_current, NULL::bigint, NULL::text;
                RETURN;
            END IF;

            INSERT INTO {schema}.events
                (global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                 actor_party, actor_role, actor_person, payload, correlation_id, causation_id, policy_version)
            SELECT v_head + b.ord, b.id, p_stream, v_current + b.ord, b.typ, b.occ,
                   b.party, b.role, b.person, b.pay, b.corr, b.cause, b.pol
              FROM unnest(p_ids, p_types, p_occurred, p_actor_parties, p_actor_roles, p_actor_persons, p_payloads,
                          p_correlations, p_causations, p_policies)
                   WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord)
             ORDER BY b.ord;
            UPDATE {schema}.log_head AS h SET last_position = v_head + v_count WHERE h.id = 1;
            IF p_notify THEN
                PERFORM pg_notify('{channel}', (v_head + v_count)::text);
            END IF;
            RETURN QUERY SELECT 'appended'::text, v_current + v_count, v_head + v_count, NULL::text;
        END
        $append$;
        """

    private static let version2 = """
        -- An event may be stored before it has a position (global_position NULL) when its append found the
        -- head row taken; assign_positions() gives it one right after that append commits.
        ALTER TABLE {schema}.events DROP CONSTRAINT events_pkey;
        ALTER TABLE {schema}.events ALTER COLUMN global_position DROP NOT NULL;
        ALTER TABLE {schema}.events ADD CONSTRAINT events_global_position_key UNIQUE (global_position);
        ALTER TABLE {schema}.events ADD COLUMN pending_order bigint;
        CREATE SEQUENCE {schema}.events_pending_order;
        CREATE INDEX events_pending_idx ON {schema}.events (pending_order, stream_version)
            WHERE global_position IS NULL;

        -- Gives positions after p_head to every committed event that has none, in the order their appends
        -- stored them. The caller holds the head row and updates it; returns how many positions it gave.
        CREATE FUNCTION {schema}.position_pending(p_head bigint) RETURNS bigint
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        AS $pending$
        DECLARE
            v_count bigint;
        BEGIN
            WITH pending AS (
                SELECT e.event_id, row_number() OVER (ORDER BY e.pending_order, e.stream_version) AS n
                  FROM {schema}.events AS e WHERE e.global_position IS NULL
            )
            UPDATE {schema}.events AS e SET global_position = p_head + p.n, pending_order = NULL
              FROM pending AS p WHERE e.event_id = p.event_id;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            RETURN v_count;
        END
        $pending$;

        -- Appends one batch atomically. Outcomes: appended (r_version = new stream version, r_position = last
        -- position), pending (stored without positions: call assign_positions after the commit), deduplicated
        -- (the whole batch was stored before), conflict (r_version = actual version), duplicate (r_detail = an
        -- event id stored elsewhere).
        CREATE OR REPLACE FUNCTION {schema}.append_events(
            p_stream text, p_expected bigint, p_ids text[], p_types text[], p_occurred bigint[],
            p_actor_parties text[], p_actor_roles text[], p_actor_persons text[], p_payloads bytea[],
            p_correlations text[], p_causations text[], p_policies text[], p_notify boolean
        ) RETURNS TABLE (r_outcome text, r_version bigint, r_position bigint, r_detail text)
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        -- Every lookup below has an index; never let a stale row estimate (a young table, a cached generic plan)
        -- turn the id check into a scan of the whole log.
        SET enable_seqscan = off
        AS $append$
        DECLARE
            v_count bigint := coalesce(cardinality(p_ids), 0);
            v_head bigint;
            v_current bigint;
            v_found bigint;
            v_first bigint;
            v_in_order bigint;
        BEGIN
            -- The ordering guarantee: positions are handed out only by the transaction holding the head row,
            -- which keeps it until it ends, so they become visible in position order. When another append
            -- holds the row, do not wait for its commit: store the batch without positions.
            SELECT h.last_position INTO v_head FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE SKIP LOCKED;
            -- Appends to one stream queue here until the previous one commits (an advisory lock writes
            -- nothing), so each sees its predecessor's events instead of failing on the stream-version key.
            PERFORM pg_advisory_xact_lock(hashtextextended('publicdata.stream.{schema}.' || p_stream, 0));

            -- Idempotency first: a retried batch is answered from what is stored.
            SELECT count(*) INTO v_found FROM {schema}.events AS e WHERE e.event_id = ANY (p_ids);
            IF v_found > 0 THEN
                SELECT e.stream_version INTO v_first
                  FROM {schema}.events AS e WHERE e.event_id = p_ids[1] AND e.stream_id = p_stream;
                SELECT count(*) INTO v_in_order
                  FROM unnest(p_ids) WITH ORDINALITY AS b(id, ord)
                  JOIN {schema}.events AS e ON e.event_id = b.id
                 WHERE e.stream_id = p_stream AND e.stream_version = v_first + b.ord - 1;
                IF v_found = v_count AND v_in_order = v_count THEN
                    RETURN QUERY SELECT 'deduplicated'::text, v_first + v_count - 1, NULL::bigint, NULL::text;
                ELSE
                    RETURN QUERY SELECT 'duplicate'::text, NULL::bigint, NULL::bigint,
                        (SELECT e.event_id FROM {schema}.events AS e WHERE e.event_id = ANY (p_ids) LIMIT 1);
                END IF;
                RETURN;
            END IF;

            -- Stored events count, with or without a position.
            SELECT coalesce(max(e.stream_version), 0) INTO v_current
              FROM {schema}.events AS e WHERE e.stream_id = p_stream;
            IF p_expected IS NOT NULL AND p_expected <> v_current THEN
                RETURN QUERY SELECT 'conflict'::text, v_current, NULL::bigint, NULL::text;
                RETURN;
            END IF;

            IF v_head IS NULL THEN
                v_first := nextval('{schema}.events_pending_order');
                INSERT INTO {schema}.events
                    (global_position, pending_order, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                     actor_party, actor_role, actor_person, payload, correlation_id, causation_id, policy_version)
                SELECT NULL, v_first, b.id, p_stream, v_current + b.ord, b.typ, b.occ,
                       b.party, b.role, b.person, b.pay, b.corr, b.cause, b.pol
                  FROM unnest(p_ids, p_types, p_occurred, p_actor_parties, p_actor_roles, p_actor_persons,
                              p_payloads, p_correlations, p_causations, p_policies)
                       WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord);
                RETURN QUERY SELECT 'pending'::text, v_current + v_count, NULL::bigint, NULL::text;
                RETURN;
            END IF;

            -- Earlier batches stored without positions (committed, their appenders on the way to
            -- assign_positions) come first, so that every stream stays in version order in the log.
            IF EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.global_position IS NULL) THEN
                v_head := v_head + {schema}.position_pending(v_head);
            END IF;
            INSERT INTO {schema}.events
                (global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                 actor_party, actor_role, actor_person, payload, correlation_id, causation_id, policy_version)
            SELECT v_head + b.ord, b.id, p_stream, v_current + b.ord, b.typ, b.occ,
                   b.party, b.role, b.person, b.pay, b.corr, b.cause, b.pol
              FROM unnest(p_ids, p_types, p_occurred, p_actor_parties, p_actor_roles, p_actor_persons, p_payloads,
                          p_correlations, p_causations, p_policies)
                   WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord)
             ORDER BY b.ord;
            UPDATE {schema}.log_head AS h SET last_position = v_head + v_count WHERE h.id = 1;
            IF p_notify THEN
                PERFORM pg_notify('{channel}', (v_head + v_count)::text);
            END IF;
            RETURN QUERY SELECT 'appended'::text, v_current + v_count, v_head + v_count, NULL::text;
        END
        $append$;

        -- Gives positions to the committed events that have none, under the head row, and returns the position
        -- of p_event_id (NULL when no such event is stored). Callers queue on an advisory lock first, which
        -- writes nothing, so that of many waiting appenders one positions everybody's events and the others
        -- find theirs done without a write or a WAL flush of their own.
        CREATE FUNCTION {schema}.assign_positions(p_event_id text, p_notify boolean) RETURNS bigint
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        AS $assign$
        DECLARE
            v_position bigint;
            v_head bigint;
            v_count bigint;
        BEGIN
            SELECT e.global_position INTO v_position FROM {schema}.events AS e WHERE e.event_id = p_event_id;
            IF v_position IS NOT NULL OR NOT FOUND THEN
                RETURN v_position;
            END IF;
            PERFORM pg_advisory_xact_lock(hashtextextended('publicdata.assign_positions.{schema}', 0));
            SELECT e.global_position INTO v_position FROM {schema}.events AS e WHERE e.event_id = p_event_id;
            IF v_position IS NOT NULL THEN
                RETURN v_position;
            END IF;
            SELECT h.last_position INTO v_head FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE;
            IF v_head IS NULL THEN
                RAISE EXCEPTION 'publicdata: {schema}.log_head has no row' USING ERRCODE = 'XX001';
            END IF;
            v_count := {schema}.position_pending(v_head);
            IF v_count > 0 THEN
                UPDATE {schema}.log_head AS h SET last_position = v_head + v_count WHERE h.id = 1;
                IF p_notify THEN
                    PERFORM pg_notify('{channel}', (v_head + v_count)::text);
                END IF;
            END IF;
            SELECT e.global_position INTO v_position FROM {schema}.events AS e WHERE e.event_id = p_event_id;
            RETURN v_position;
        END
        $assign$;
        """

    private static let version3 = """
        -- Same outcomes, signatures and ordering scheme as version 2. append_events runs fewer statements per
        -- call: the two locks are taken by one statement, the id, version and waiting checks read in one, the
        -- insert and the head update run as one, and the outcome is returned without a query. Every plan is
        -- generic, built once per session (the lookups are by key, so a custom plan per call buys nothing).
        -- A batch stored without a position commits without waiting for its WAL flush (see below).
        CREATE OR REPLACE FUNCTION {schema}.append_events(
            p_stream text, p_expected bigint, p_ids text[], p_types text[], p_occurred bigint[],
            p_actor_parties text[], p_actor_roles text[], p_actor_persons text[], p_payloads bytea[],
            p_correlations text[], p_causations text[], p_policies text[], p_notify boolean
        ) RETURNS TABLE (r_outcome text, r_version bigint, r_position bigint, r_detail text)
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        SET plan_cache_mode = force_generic_plan
        AS $append$
        DECLARE
            v_count bigint := coalesce(cardinality(p_ids), 0);
            v_head bigint;
            v_current bigint;
            v_stored boolean;
            v_waiting boolean;
            v_found bigint;
            v_first bigint;
            v_in_order bigint;
        BEGIN
            -- The head row, when free (its holder hands out positions and keeps it until it ends), and the
            -- stream's advisory lock (appends to one stream queue here until the previous one commits). The
            -- checks below run as a later statement, so they see what the stream's previous append committed.
            SELECT (SELECT h.last_position FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE SKIP LOCKED),
                   pg_advisory_xact_lock(hashtextextended('publicdata.stream.{schema}.' || p_stream, 0))
              INTO v_head;
            SELECT EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.event_id = ANY (p_ids)),
                   coalesce((SELECT e.stream_version FROM {schema}.events AS e WHERE e.stream_id = p_stream
                              ORDER BY e.stream_version DESC LIMIT 1), 0),
                   EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.global_position IS NULL)
              INTO v_stored, v_current, v_waiting;

            -- Idempotency first: a retried batch is answered from what is stored.
            IF v_stored THEN
                SELECT count(*) INTO v_found FROM {schema}.events AS e WHERE e.event_id = ANY (p_ids);
                SELECT e.stream_version INTO v_first
                  FROM {schema}.events AS e WHERE e.event_id = p_ids[1] AND e.stream_id = p_stream;
                SELECT count(*) INTO v_in_order
                  FROM unnest(p_ids) WITH ORDINALITY AS b(id, ord)
                  JOIN {schema}.events AS e ON e.event_id = b.id
                 WHERE e.stream_id = p_stream AND e.stream_version = v_first + b.ord - 1;
                IF v_found = v_count AND v_in_order = v_count THEN
                    r_outcome := 'deduplicated';
                    r_version := v_first + v_count - 1;
                ELSE
                    r_outcome := 'duplicate';
                    SELECT e.event_id INTO r_detail FROM {schema}.events AS e WHERE e.event_id = ANY (p_ids) LIMIT 1;
                END IF;
                RETURN NEXT;
                RETURN;
            END IF;

            -- Stored events count, with or without a position.
            IF p_expected IS NOT NULL AND p_expected <> v_current THEN
                r_outcome := 'conflict';
                r_version := v_current;
                RETURN NEXT;
                RETURN;
            END IF;

            IF v_head IS NULL THEN
                INSERT INTO {schema}.events
                    (global_position, pending_order, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                     actor_party, actor_role, actor_person, payload, correlation_id, causation_id, policy_version)
                SELECT NULL, nextval('{schema}.events_pending_order'), b.id, p_stream, v_current + b.ord, b.typ,
                       b.occ, b.party, b.role, b.person, b.pay, b.corr, b.cause, b.pol
                  FROM unnest(p_ids, p_types, p_occurred, p_actor_parties, p_actor_roles, p_actor_persons,
                              p_payloads, p_correlations, p_causations, p_policies)
                       WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord);
                -- This commit need not wait for its own WAL flush: the batch is invisible to readers until a
                -- later transaction positions it, and that one commits synchronously, flushing the WAL up to
                -- its own commit record, which comes after this one. An unpositioned batch lost in a crash was
                -- never acknowledged; its appender gets an error and retries.
                SET LOCAL synchronous_commit = off;
                r_outcome := 'pending';
                r_version := v_current + v_count;
                RETURN NEXT;
                RETURN;
            END IF;

            -- Earlier batches stored without positions come first, so that every stream stays in version
            -- order in the log.
            IF v_waiting THEN
                v_head := v_head + {schema}.position_pending(v_head);
            END IF;
            WITH stored AS (
                INSERT INTO {schema}.events
                    (global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                     actor_party, actor_role, actor_person, payload, correlation_id, causation_id, policy_version)
                SELECT v_head + b.ord, b.id, p_stream, v_current + b.ord, b.typ, b.occ,
                       b.party, b.role, b.person, b.pay, b.corr, b.cause, b.pol
                  FROM unnest(p_ids, p_types, p_occurred, p_actor_parties, p_actor_roles, p_actor_persons,
                              p_payloads, p_correlations, p_causations, p_policies)
                       WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord)
            )
            UPDATE {schema}.log_head AS h SET last_position = v_head + v_count WHERE h.id = 1;
            IF p_notify THEN
                PERFORM pg_notify('{channel}', (v_head + v_count)::text);
            END IF;
            r_outcome := 'appended';
            r_version := v_current + v_count;
            r_position := v_head + v_count;
            RETURN NEXT;
        END
        $append$;

        -- Gives positions to the committed events that have none, under the head row, and returns the position
        -- of p_event_id (NULL when no such event is stored). One caller at a time positions (it holds an
        -- advisory lock, which writes nothing, then the head row); the others look again every few
        -- milliseconds and mostly find their batch positioned by it, instead of queueing on the lock and
        -- being woken one after another.
        CREATE OR REPLACE FUNCTION {schema}.assign_positions(p_event_id text, p_notify boolean) RETURNS bigint
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        SET plan_cache_mode = force_generic_plan
        AS $assign$
        DECLARE
            v_position bigint;
            v_head bigint;
            v_count bigint;
            v_pause double precision := 0.001;
        BEGIN
            LOOP
                SELECT e.global_position INTO v_position FROM {schema}.events AS e WHERE e.event_id = p_event_id;
                IF v_position IS NOT NULL OR NOT FOUND THEN
                    RETURN v_position;
                END IF;
                EXIT WHEN pg_try_advisory_xact_lock(hashtextextended('publicdata.assign_positions.{schema}', 0));
                PERFORM pg_sleep(v_pause);
                v_pause := least(v_pause * 1.5, 0.01);
            END LOOP;
            SELECT h.last_position INTO v_head FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE;
            IF v_head IS NULL THEN
                RAISE EXCEPTION 'publicdata: {schema}.log_head has no row' USING ERRCODE = 'XX001';
            END IF;
            v_count := {schema}.position_pending(v_head);
            IF v_count > 0 THEN
                UPDATE {schema}.log_head AS h SET last_position = v_head + v_count WHERE h.id = 1;
                IF p_notify THEN
                    PERFORM pg_notify('{channel}', (v_head + v_count)::text);
                END IF;
            END IF;
            SELECT e.global_position INTO v_position FROM {schema}.events AS e WHERE e.event_id = p_event_id;
            RETURN v_position;
        END
        $assign$;

        ALTER FUNCTION {schema}.position_pending(bigint) SET plan_cache_mode = force_generic_plan;
        """

    private static let version4 = """
        -- Group commit. A store instance hands the batches its appenders give it at the same moment to one call
        -- of append_group: one transaction, one round trip, one commit (and, when the head row is taken, one
        -- positioning call) for all of them. Each batch keeps its own outcome, the one append_events would give
        -- had the batches been appended one after another in the order given (a batch sees those before it).
        -- The head row is taken (SKIP LOCKED) once for the group: either every stored batch gets its
        -- positions in this transaction, or none does ('pending'; the caller then calls positions_of with the
        -- first event id of each pending batch).
        CREATE FUNCTION {schema}.append_group(
            p_streams text[], p_expected bigint[], p_counts integer[], p_ids text[], p_types text[],
            p_occurred bigint[], p_actor_parties text[], p_actor_roles text[], p_actor_persons text[],
            p_payloads bytea[], p_correlations text[], p_causations text[], p_policies text[], p_notify boolean
        ) RETURNS TABLE (r_outcome text, r_version bigint, r_position bigint, r_detail text)
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        SET plan_cache_mode = force_generic_plan
        AS $group$
        DECLARE
            v_batches integer := coalesce(cardinality(p_streams), 0);
            v_read bigint;
            v_head bigint;
            v_key bigint;
            v_batch integer;
            v_from integer := 1;
            v_to integer;
            v_count bigint;
            v_ids text[];
            v_stream text;
            v_stored boolean;
            v_current bigint;
            v_found bigint;
            v_first bigint;
            v_in_order bigint;
            v_order bigint;
            v_pending boolean := false;
        BEGIN
            IF coalesce(cardinality(p_counts), 0) <> v_batches OR coalesce(cardinality(p_expected), 0) <> v_batches
               OR (SELECT coalesce(sum(c), 0) FROM unnest(p_counts) AS c) <> coalesce(cardinality(p_ids), 0)
               OR EXISTS (SELECT 1 FROM unnest(p_counts) AS c WHERE c IS NULL OR c < 1) THEN
                RAISE EXCEPTION 'publicdata: append_group got batch counts that do not match its events'
                    USING ERRCODE = '22023';
            END IF;
            SELECT h.last_position INTO v_read FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE SKIP LOCKED;
            v_head := v_read;
            -- The streams' advisory locks in one order for every caller, so that two groups never wait for
            -- each other in a circle (a single append takes one).
            FOR v_key IN
                SELECT DISTINCT hashtextextended('publicdata.stream.{schema}.' || s.stream, 0)
                  FROM unnest(p_streams) AS s(stream) ORDER BY 1
            LOOP
                PERFORM pg_advisory_xact_lock(v_key);
            END LOOP;
            -- Batches stored earlier without positions come first, as in append_events.
            IF v_head IS NOT NULL AND EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.global_position IS NULL) THEN
                v_head := v_head + {schema}.position_pending(v_head);
            END IF;

            FOR v_batch IN 1 .. v_batches LOOP
                v_count := p_counts[v_batch];
                v_to := v_from + p_counts[v_batch] - 1;
                v_ids := p_ids[v_from:v_to];
                v_stream := p_streams[v_batch];
                r_outcome := NULL;
                r_version := NULL;
                r_position := NULL;
                r_detail := NULL;
                SELECT EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids)),
                       coalesce((SELECT e.stream_version FROM {schema}.events AS e WHERE e.stream_id = v_stream
                                  ORDER BY e.stream_version DESC LIMIT 1), 0)
                  INTO v_stored, v_current;
                IF v_stored THEN
                    SELECT count(*) INTO v_found FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids);
                    SELECT e.stream_version INTO v_first
                      FROM {schema}.events AS e WHERE e.event_id = v_ids[1] AND e.stream_id = v_stream;
                    SELECT count(*) INTO v_in_order
                      FROM unnest(v_ids) WITH ORDINALITY AS b(id, ord)
                      JOIN {schema}.events AS e ON e.event_id = b.id
                     WHERE e.stream_id = v_stream AND e.stream_version = v_first + b.ord - 1;
                    IF v_found = v_count AND v_in_order = v_count THEN
                        r_outcome := 'deduplicated';
                        r_version := v_first + v_count - 1;
                    ELSE
                        r_outcome := 'duplicate';
                        SELECT e.event_id INTO r_detail FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids) LIMIT 1;
                    END IF;
                ELSIF p_expected[v_batch] IS NOT NULL AND p_expected[v_batch] <> v_current THEN
                    r_outcome := 'conflict';
                    r_version := v_current;
                ELSIF v_head IS NULL THEN
                    -- One pending_order for the whole batch: its events stay together when positioned.
                    v_order := nextval('{schema}.events_pending_order');
                    INSERT INTO {schema}.events
                        (global_position, pending_order, event_id, stream_id, stream_version, event_type,
                         occurred_at_ms, actor_party, actor_role, actor_person, payload, correlation_id,
                         causation_id, policy_version)
                    SELECT NULL, v_order, b.id, v_stream, v_current + b.ord, b.typ, b.occ, b.party, b.role,
                           b.person, b.pay, b.corr, b.cause, b.pol
                      FROM unnest(v_ids, p_types[v_from:v_to], p_occurred[v_from:v_to],
                                  p_actor_parties[v_from:v_to], p_actor_roles[v_from:v_to],
                                  p_actor_persons[v_from:v_to], p_payloads[v_from:v_to],
                                  p_correlations[v_from:v_to], p_causations[v_from:v_to], p_policies[v_from:v_to])
                           WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord);
                    v_pending := true;
                    r_outcome := 'pending';
                    r_version := v_current + v_count;
                ELSE
                    INSERT INTO {schema}.events
                        (global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                         actor_party, actor_role, actor_person, payload, correlation_id, causation_id,
                         policy_version)
                    SELECT v_head + b.ord, b.id, v_stream, v_current + b.ord, b.typ, b.occ, b.party, b.role,
                           b.person, b.pay, b.corr, b.cause, b.pol
                      FROM unnest(v_ids, p_types[v_from:v_to], p_occurred[v_from:v_to],
                                  p_actor_parties[v_from:v_to], p_actor_roles[v_from:v_to],
                                  p_actor_persons[v_from:v_to], p_payloads[v_from:v_to],
                                  p_correlations[v_from:v_to], p_causations[v_from:v_to], p_policies[v_from:v_to])
                           WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord);
                    v_head := v_head + v_count;
                    r_outcome := 'appended';
                    r_version := v_current + v_count;
                    r_position := v_head;
                END IF;
                RETURN NEXT;
                v_from := v_to + 1;
            END LOOP;

            IF v_head > v_read THEN
                UPDATE {schema}.log_head AS h SET last_position = v_head WHERE h.id = 1;
                IF p_notify THEN
                    PERFORM pg_notify('{channel}', v_head::text);
                END IF;
            END IF;
            -- Only unpositioned batches were stored: as in append_events, this commit need not wait for its
            -- own WAL flush (the synchronous commit that positions them flushes it first).
            IF v_pending THEN
                SET LOCAL synchronous_commit = off;
            END IF;
        END
        $group$;

        -- Positions the committed batches that wait (as assign_positions does for p_ids[1]) and returns the
        -- position of each of p_ids, in order (NULL for an id not stored). The ids are the first events of
        -- batches that one append_group call stored without positions; they committed together, so they are
        -- positioned together.
        CREATE FUNCTION {schema}.positions_of(p_ids text[], p_notify boolean) RETURNS SETOF bigint
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        SET plan_cache_mode = force_generic_plan
        AS $positions$
        BEGIN
            PERFORM {schema}.assign_positions(p_ids[1], p_notify);
            RETURN QUERY
                SELECT e.global_position FROM unnest(p_ids) WITH ORDINALITY AS b(id, ord)
                  LEFT JOIN {schema}.events AS e ON e.event_id = b.id
                 ORDER BY b.ord;
        END
        $positions$;

        -- Waiting for positions without polling. Sampled under load (16 appenders over 4 processes), 13 to 15
        -- of 16 backends sat in assign_positions' pg_sleep: an appender whose batch had been positioned slept
        -- on for up to 10 ms before it looked again. Now a caller that finds another positioning waits for
        -- that positioner's transaction to end, by asking for the advisory lock in shared mode inside a
        -- subtransaction that it rolls back at once (so it holds nothing afterwards): every waiter wakes the
        -- moment the positions are visible, and one of those still unpositioned positions the next round.
        CREATE OR REPLACE FUNCTION {schema}.assign_positions(p_event_id text, p_notify boolean) RETURNS bigint
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        SET plan_cache_mode = force_generic_plan
        AS $assign$
        DECLARE
            v_key bigint := hashtextextended('publicdata.assign_positions.{schema}', 0);
            v_position bigint;
            v_head bigint;
            v_count bigint;
            v_since timestamptz;
        BEGIN
            LOOP
                SELECT e.global_position INTO v_position FROM {schema}.events AS e WHERE e.event_id = p_event_id;
                IF v_position IS NOT NULL OR NOT FOUND THEN
                    RETURN v_position;
                END IF;
                EXIT WHEN pg_try_advisory_xact_lock(v_key);
                v_since := clock_timestamp();
                BEGIN
                    PERFORM pg_advisory_xact_lock_shared(v_key);
                    RAISE SQLSTATE 'PD001';
                EXCEPTION WHEN SQLSTATE 'PD001' THEN
                    NULL;
                END;
                -- Not a positioner's end but other waiters' brief shared holds: do not spin on them.
                IF clock_timestamp() - v_since < interval '200 microseconds' THEN
                    PERFORM pg_sleep(0.0005);
                END IF;
            END LOOP;
            SELECT h.last_position INTO v_head FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE;
            IF v_head IS NULL THEN
                RAISE EXCEPTION 'publicdata: {schema}.log_head has no row' USING ERRCODE = 'XX001';
            END IF;
            v_count := {schema}.position_pending(v_head);
            IF v_count > 0 THEN
                UPDATE {schema}.log_head AS h SET last_position = v_head + v_count WHERE h.id = 1;
                IF p_notify THEN
                    PERFORM pg_notify('{channel}', (v_head + v_count)::text);
                END IF;
            END IF;
            SELECT e.global_position INTO v_position FROM {schema}.events AS e WHERE e.event_id = p_event_id;
            RETURN v_position;
        END
        $assign$;

        -- Waiting events are positioned one transaction after another (in the order of each transaction's
        -- first pending_order), so that the events of one batch get consecutive positions even when two
        -- batches stored their rows at the same moment (version 3 took one pending_order per row, and rows
        -- of concurrent batches could interleave). A stream's later batch starts after its earlier one has
        -- committed, so it still comes later.
        CREATE OR REPLACE FUNCTION {schema}.position_pending(p_head bigint) RETURNS bigint
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        SET plan_cache_mode = force_generic_plan
        AS $pending$
        DECLARE
            v_count bigint;
        BEGIN
            WITH pending AS (
                SELECT e.event_id, e.pending_order, e.stream_version,
                       min(e.pending_order) OVER (PARTITION BY e.xmin::text) AS first_order
                  FROM {schema}.events AS e WHERE e.global_position IS NULL
            ),
            numbered AS (
                SELECT p.event_id,
                       row_number() OVER (ORDER BY p.first_order, p.pending_order, p.stream_version) AS n
                  FROM pending AS p
            )
            UPDATE {schema}.events AS e SET global_position = p_head + p.n, pending_order = NULL
              FROM numbered AS p WHERE e.event_id = p.event_id;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            RETURN v_count;
        END
        $pending$;
        """

    private static let version5 = """
        -- A group waits for the head row instead of being stored without positions when the row is taken.
        -- Same signature and outcomes as version 4 (never 'pending' now), so grants on it are kept;
        -- append_events, assign_positions and positions_of are unchanged: a lone append still commits in
        -- parallel when the head row is taken, and is positioned afterwards.
        CREATE OR REPLACE FUNCTION {schema}.append_group(
            p_streams text[], p_expected bigint[], p_counts integer[], p_ids text[], p_types text[],
            p_occurred bigint[], p_actor_parties text[], p_actor_roles text[], p_actor_persons text[],
            p_payloads bytea[], p_correlations text[], p_causations text[], p_policies text[], p_notify boolean
        ) RETURNS TABLE (r_outcome text, r_version bigint, r_position bigint, r_detail text)
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        SET plan_cache_mode = force_generic_plan
        AS $group$
        DECLARE
            v_batches integer := coalesce(cardinality(p_streams), 0);
            v_read bigint;
            v_head bigint;
            v_key bigint;
            v_batch integer;
            v_from integer := 1;
            v_to integer;
            v_count bigint;
            v_ids text[];
            v_stream text;
            v_stored boolean;
            v_current bigint;
            v_found bigint;
            v_first bigint;
            v_in_order bigint;
        BEGIN
            IF coalesce(cardinality(p_counts), 0) <> v_batches OR coalesce(cardinality(p_expected), 0) <> v_batches
               OR (SELECT coalesce(sum(c), 0) FROM unnest(p_counts) AS c) <> coalesce(cardinality(p_ids), 0)
               OR EXISTS (SELECT 1 FROM unnest(p_counts) AS c WHERE c IS NULL OR c < 1) THEN
                RAISE EXCEPTION 'publicdata: append_group got batch counts that do not match its events'
                    USING ERRCODE = '22023';
            END IF;
            -- A group waits for the head row (migration 4 skipped it when taken and stored the group without
            -- positions): the group already shares one commit among its batches, so it spends one flush in the
            -- head row's queue instead of a second round trip and a second write of every row.
            SELECT h.last_position INTO v_read FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE;
            IF v_read IS NULL THEN
                RAISE EXCEPTION 'publicdata: {schema}.log_head has no row' USING ERRCODE = 'XX001';
            END IF;
            v_head := v_read;
            -- The streams' advisory locks in one order for every caller, so that two groups never wait for
            -- each other in a circle (a single append takes one).
            FOR v_key IN
                SELECT DISTINCT hashtextextended('publicdata.stream.{schema}.' || s.stream, 0)
                  FROM unnest(p_streams) AS s(stream) ORDER BY 1
            LOOP
                PERFORM pg_advisory_xact_lock(v_key);
            END LOOP;
            -- Batches stored earlier without positions come first, as in append_events.
            IF EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.global_position IS NULL) THEN
                v_head := v_head + {schema}.position_pending(v_head);
            END IF;

            FOR v_batch IN 1 .. v_batches LOOP
                v_count := p_counts[v_batch];
                v_to := v_from + p_counts[v_batch] - 1;
                v_ids := p_ids[v_from:v_to];
                v_stream := p_streams[v_batch];
                r_outcome := NULL;
                r_version := NULL;
                r_position := NULL;
                r_detail := NULL;
                SELECT EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids)),
                       coalesce((SELECT e.stream_version FROM {schema}.events AS e WHERE e.stream_id = v_stream
                                  ORDER BY e.stream_version DESC LIMIT 1), 0)
                  INTO v_stored, v_current;
                IF v_stored THEN
                    SELECT count(*) INTO v_found FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids);
                    SELECT e.stream_version INTO v_first
                      FROM {schema}.events AS e WHERE e.event_id = v_ids[1] AND e.stream_id = v_stream;
                    SELECT count(*) INTO v_in_order
                      FROM unnest(v_ids) WITH ORDINALITY AS b(id, ord)
                      JOIN {schema}.events AS e ON e.event_id = b.id
                     WHERE e.stream_id = v_stream AND e.stream_version = v_first + b.ord - 1;
                    IF v_found = v_count AND v_in_order = v_count THEN
                        r_outcome := 'deduplicated';
                        r_version := v_first + v_count - 1;
                    ELSE
                        r_outcome := 'duplicate';
                        SELECT e.event_id INTO r_detail FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids) LIMIT 1;
                    END IF;
                ELSIF p_expected[v_batch] IS NOT NULL AND p_expected[v_batch] <> v_current THEN
                    r_outcome := 'conflict';
                    r_version := v_current;
                ELSE
                    INSERT INTO {schema}.events
                        (global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                         actor_party, actor_role, actor_person, payload, correlation_id, causation_id,
                         policy_version)
                    SELECT v_head + b.ord, b.id, v_stream, v_current + b.ord, b.typ, b.occ, b.party, b.role,
                           b.person, b.pay, b.corr, b.cause, b.pol
                      FROM unnest(v_ids, p_types[v_from:v_to], p_occurred[v_from:v_to],
                                  p_actor_parties[v_from:v_to], p_actor_roles[v_from:v_to],
                                  p_actor_persons[v_from:v_to], p_payloads[v_from:v_to],
                                  p_correlations[v_from:v_to], p_causations[v_from:v_to], p_policies[v_from:v_to])
                           WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord);
                    v_head := v_head + v_count;
                    r_outcome := 'appended';
                    r_version := v_current + v_count;
                    r_position := v_head;
                END IF;
                RETURN NEXT;
                v_from := v_to + 1;
            END LOOP;

            IF v_head > v_read THEN
                UPDATE {schema}.log_head AS h SET last_position = v_head WHERE h.id = 1;
                IF p_notify THEN
                    PERFORM pg_notify('{channel}', v_head::text);
                END IF;
            END IF;
        END
        $group$;
        """

    private static let version6 = """
        -- A group of one-event batches (what appenders under load send) is checked in one statement and stored in
        -- one, instead of two statements per batch: the streams' versions, whether any id is stored or repeated,
        -- whether every expected version is met and whether batches wait for positions are read together; when all is
        -- plain (distinct streams and ids, nothing stored, no conflict) one INSERT stores every event and moves the
        -- head. Otherwise the group goes batch by batch as in version 5. Same signature, outcomes, locks and order of
        -- locking as version 5, so grants on it are kept.
        CREATE OR REPLACE FUNCTION {schema}.append_group(
            p_streams text[], p_expected bigint[], p_counts integer[], p_ids text[], p_types text[],
            p_occurred bigint[], p_actor_parties text[], p_actor_roles text[], p_actor_persons text[],
            p_payloads bytea[], p_correlations text[], p_causations text[], p_policies text[], p_notify boolean
        ) RETURNS TABLE (r_outcome text, r_version bigint, r_position bigint, r_detail text)
        LANGUAGE plpgsql
        SET search_path = pg_catalog, pg_temp
        SET enable_seqscan = off
        SET plan_cache_mode = force_generic_plan
        AS $group$
        DECLARE
            v_batches integer := coalesce(cardinality(p_streams), 0);
            v_read bigint;
            v_head bigint;
            v_key bigint;
            v_batch integer;
            v_from integer := 1;
            v_to integer;
            v_count bigint;
            v_ids text[];
            v_stream text;
            v_stored boolean;
            v_current bigint;
            v_found bigint;
            v_first bigint;
            v_in_order bigint;
            v_plain boolean;
            v_waiting boolean;
            v_currents bigint[];
            v_locks integer := 0;
        BEGIN
            IF coalesce(cardinality(p_counts), 0) <> v_batches OR coalesce(cardinality(p_expected), 0) <> v_batches
               OR (SELECT coalesce(sum(c), 0) FROM unnest(p_counts) AS c) <> coalesce(cardinality(p_ids), 0)
               OR EXISTS (SELECT 1 FROM unnest(p_counts) AS c WHERE c IS NULL OR c < 1) THEN
                RAISE EXCEPTION 'publicdata: append_group got batch counts that do not match its events'
                    USING ERRCODE = '22023';
            END IF;
            SELECT h.last_position INTO v_read FROM {schema}.log_head AS h WHERE h.id = 1 FOR UPDATE;
            IF v_read IS NULL THEN
                RAISE EXCEPTION 'publicdata: {schema}.log_head has no row' USING ERRCODE = 'XX001';
            END IF;
            v_head := v_read;
            FOR v_key IN
                SELECT DISTINCT hashtextextended('publicdata.stream.{schema}.' || s.stream, 0)
                  FROM unnest(p_streams) AS s(stream) ORDER BY 1
            LOOP
                PERFORM pg_advisory_xact_lock(v_key);
                v_locks := v_locks + 1;
            END LOOP;
            -- The group's checks in one statement when every batch holds one event (the common case under load):
            -- whether batches wait for positions, whether any id is stored or repeated, each stream's version and
            -- whether every expected version is met. Streams are distinct when every stream took its own lock.
            IF v_locks = v_batches AND cardinality(p_ids) = v_batches THEN
                SELECT EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.global_position IS NULL),
                       NOT EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.event_id = ANY (p_ids))
                       AND (SELECT count(DISTINCT i) FROM unnest(p_ids) AS i) = v_batches
                       AND NOT bool_or(b.expected IS NOT NULL AND b.expected <> b.cur),
                       array_agg(b.cur ORDER BY b.ord)
                  INTO v_waiting, v_plain, v_currents
                  FROM (SELECT s.ord, s.expected,
                               coalesce((SELECT e.stream_version FROM {schema}.events AS e WHERE e.stream_id = s.stream
                                          ORDER BY e.stream_version DESC LIMIT 1), 0) AS cur
                          FROM unnest(p_streams, p_expected) WITH ORDINALITY AS s(stream, expected, ord)) AS b;
                IF v_plain THEN
                    IF v_waiting THEN
                        v_head := v_head + {schema}.position_pending(v_head);
                    END IF;
                    WITH stored AS (
                        INSERT INTO {schema}.events
                            (global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                             actor_party, actor_role, actor_person, payload, correlation_id, causation_id, policy_version)
                        SELECT v_head + b.ord, b.id, b.stream, b.cur + 1, b.typ, b.occ, b.party, b.role, b.person, b.pay,
                               b.corr, b.cause, b.pol
                          FROM unnest(p_ids, p_streams, v_currents, p_types, p_occurred, p_actor_parties, p_actor_roles,
                                      p_actor_persons, p_payloads, p_correlations, p_causations, p_policies)
                               WITH ORDINALITY AS b(id, stream, cur, typ, occ, party, role, person, pay, corr, cause, pol, ord)
                    )
                    UPDATE {schema}.log_head AS h SET last_position = v_head + v_batches WHERE h.id = 1;
                    r_outcome := 'appended';
                    FOR v_batch IN 1 .. v_batches LOOP
                        r_version := v_currents[v_batch] + 1;
                        r_position := v_head + v_batch;
                        RETURN NEXT;
                    END LOOP;
                    IF p_notify THEN
                        PERFORM pg_notify('{channel}', (v_head + v_batches)::text);
                    END IF;
                    RETURN;
                END IF;
            END IF;

            -- Otherwise batch by batch. Batches stored earlier without positions come first, as in append_events.
            IF EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.global_position IS NULL) THEN
                v_head := v_head + {schema}.position_pending(v_head);
            END IF;
            FOR v_batch IN 1 .. v_batches LOOP
                v_count := p_counts[v_batch];
                v_to := v_from + p_counts[v_batch] - 1;
                v_ids := p_ids[v_from:v_to];
                v_stream := p_streams[v_batch];
                r_outcome := NULL;
                r_version := NULL;
                r_position := NULL;
                r_detail := NULL;
                SELECT EXISTS (SELECT 1 FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids)),
                       coalesce((SELECT e.stream_version FROM {schema}.events AS e WHERE e.stream_id = v_stream
                                  ORDER BY e.stream_version DESC LIMIT 1), 0)
                  INTO v_stored, v_current;
                IF v_stored THEN
                    SELECT count(*) INTO v_found FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids);
                    SELECT e.stream_version INTO v_first
                      FROM {schema}.events AS e WHERE e.event_id = v_ids[1] AND e.stream_id = v_stream;
                    SELECT count(*) INTO v_in_order
                      FROM unnest(v_ids) WITH ORDINALITY AS b(id, ord)
                      JOIN {schema}.events AS e ON e.event_id = b.id
                     WHERE e.stream_id = v_stream AND e.stream_version = v_first + b.ord - 1;
                    IF v_found = v_count AND v_in_order = v_count THEN
                        r_outcome := 'deduplicated';
                        r_version := v_first + v_count - 1;
                    ELSE
                        r_outcome := 'duplicate';
                        SELECT e.event_id INTO r_detail FROM {schema}.events AS e WHERE e.event_id = ANY (v_ids) LIMIT 1;
                    END IF;
                ELSIF p_expected[v_batch] IS NOT NULL AND p_expected[v_batch] <> v_current THEN
                    r_outcome := 'conflict';
                    r_version := v_current;
                ELSE
                    INSERT INTO {schema}.events
                        (global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms,
                         actor_party, actor_role, actor_person, payload, correlation_id, causation_id,
                         policy_version)
                    SELECT v_head + b.ord, b.id, v_stream, v_current + b.ord, b.typ, b.occ, b.party, b.role,
                           b.person, b.pay, b.corr, b.cause, b.pol
                      FROM unnest(v_ids, p_types[v_from:v_to], p_occurred[v_from:v_to],
                                  p_actor_parties[v_from:v_to], p_actor_roles[v_from:v_to],
                                  p_actor_persons[v_from:v_to], p_payloads[v_from:v_to],
                                  p_correlations[v_from:v_to], p_causations[v_from:v_to], p_policies[v_from:v_to])
                           WITH ORDINALITY AS b(id, typ, occ, party, role, person, pay, corr, cause, pol, ord);
                    v_head := v_head + v_count;
                    r_outcome := 'appended';
                    r_version := v_current + v_count;
                    r_position := v_head;
                END IF;
                RETURN NEXT;
                v_from := v_to + 1;
            END LOOP;

            IF v_head > v_read THEN
                UPDATE {schema}.log_head AS h SET last_position = v_head WHERE h.id = 1;
                IF p_notify THEN
                    PERFORM pg_notify('{channel}', v_head::text);
                END IF;
            END IF;
        END
        $group$;
        """

    // MARK: - Running migrations

    /// How the store treats the schema when it starts.
    public enum MigrationMode: Sendable, Hashable {
        /// Create the schema or apply missing migrations (under an advisory lock).
        case automatic
        /// Only check the version: a missing or older schema is `unavailable`, a newer one `schemaTooNew`.
        case verifyOnly
    }

    /// The schema's recorded version (0 when the schema or its bookkeeping table does not exist).
    static func currentVersion(on connection: PostgresConnection, schema: String) throws -> Int {
        // Query the catalog with the statement's snapshot: to_regclass() consults caches that an advisory lock
        // does not refresh, so an instance that waited for another's migration would not see its tables.
        let exists = try connection.execute(
            """
            SELECT EXISTS (
                SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = 'schema_migrations'
            )
            """,
            [.text(schema)],
            textResults: true
        )
        guard exists.string(0, 0) == "t" else { return 0 }
        let version = try connection.execute(
            "SELECT coalesce(max(version), 0) FROM \(schema).schema_migrations",
            textResults: true
        )
        return version.string(0, 0).flatMap { Int($0) } ?? 0
    }

    /// Brings the schema to ``latestVersion`` or refuses a newer one; runs on the connection's thread.
    static func migrate(on connection: PostgresConnection, schema: String, mode: MigrationMode) throws {
        let location = connection.settings.location
        func tooNew(_ version: Int) -> EventStoreError {
            EventStoreError(
                code: .schemaTooNew,
                message: "schema \(schema) is at version \(version); this library understands up to \(latestVersion). "
                    + "Upgrade the library; nothing was changed.",
                location: location
            )
        }
        let found = try currentVersion(on: connection, schema: schema)
        if found > latestVersion { throw tooNew(found) }
        if found == latestVersion { return }
        guard mode == .automatic else {
            throw EventStoreError(
                code: .unavailable,
                message: "schema \(schema) is at version \(found), this library needs \(latestVersion); "
                    + "apply the migrations (MigrationMode.automatic or the SQL in Operations.md)",
                location: location
            )
        }
        try connection.executeScript("BEGIN")
        do {
            try connection.execute(
                "SELECT pg_advisory_xact_lock(hashtext($1))",
                [.text("publicdata.migrate.\(schema)")],
                textResults: true
            )
            let locked = try currentVersion(on: connection, schema: schema)
            if locked > latestVersion { throw tooNew(locked) }
            try connection.executeScript(bookkeeping(schema: schema))
            for migration in try migrations(schema: schema) where migration.version > locked {
                try connection.executeScript(migration.sql)
                try connection.execute(
                    "INSERT INTO \(schema).schema_migrations (version, summary) VALUES ($1, $2)",
                    [.int64(Int64(migration.version)), .text(migration.summary)]
                )
            }
            try connection.executeScript("COMMIT")
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw error
        }
    }
}
#endif
