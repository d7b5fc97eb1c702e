/** Why a message or one reading in it was refused. Stored as text in `rejected_messages.reason`. */
export const rejectionReasons = [
  // topic
  'topic-malformed',
  'reactor-id-invalid',
  'signal-unknown',
  // payload as a whole
  'payload-empty',
  'payload-too-large',
  'payload-not-utf8',
  'json-invalid',
  'nesting-too-deep',
  'payload-shape-invalid',
  'batch-empty',
  'batch-too-large',
  // one reading
  'reading-shape-invalid',
  'value-not-number',
  'value-not-finite',
  'value-out-of-range',
  'timestamp-missing',
  'timestamp-invalid',
  'timestamp-in-future',
  'timestamp-before-1970',
  'timestamp-looks-like-seconds',
  // Sparkplug B (server/sparkplug/): the message, the edge node's session, one metric
  'sparkplug-topic-malformed',
  'sparkplug-payload-invalid',
  'sparkplug-birth-invalid',
  'sparkplug-no-birth',
  'sparkplug-alias-unknown',
  'sparkplug-metric-unknown',
  'sparkplug-seq-gap',
  'sparkplug-awaiting-rebirth',
  'sparkplug-bdseq-stale',
  'sparkplug-unit-mismatch',
  // an assay entered by hand (server/design/assay-entry.ts): its form, and what a form adds
  'assay-entry-shape-invalid',
  'assay-measured-before-sampled',
  'assay-already-recorded',
  // a bug of ours, caught so that input can never crash the process
  'validator-failed',
] as const;

export type RejectionReason = (typeof rejectionReasons)[number];

/** A refused message (or batch element), as stored: topic and payload already truncated. */
export interface Rejection {
  receivedAtMs: number;
  topic: string;
  payloadExcerpt: string;
  payloadBytes: number;
  reason: RejectionReason;
  detail: string;
}
