/** Counters of logins and refusals, for /metrics. */
export interface AuthMetrics {
  logins: { succeeded: number; failed: number; rateLimited: number };
  refused: {
    anonymous: number;
    badToken: number;
    forbidden: number;
    csrf: number;
    passwordChange: number;
    redirectedToLogin: number;
    socket: number;
  };
}

export function newAuthMetrics(): AuthMetrics {
  return {
    logins: { succeeded: 0, failed: 0, rateLimited: 0 },
    refused: {
      anonymous: 0,
      badToken: 0,
      forbidden: 0,
      csrf: 0,
      passwordChange: 0,
      redirectedToLogin: 0,
      socket: 0,
    },
  };
}
